package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.SyntheticImages;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A task failure mid-stream leaves every request with exactly one committed result. */
class ExactlyOnceITCase {
    private static final int IMAGES = 30;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path modelDir;

    @TempDir
    static Path savepoints;

    @Test
    void commitsExactlyOneResultPerRequestAcrossATaskFailure() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 9);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(Arrays.stream(Topic.values()).map(Topic::defaultName).toList(), 2);
            Configuration options = new Configuration();
            options.set(InferenceOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
            options.set(InferenceOptions.MAX_NEW_TOKENS, 5);
            options.set(InferenceOptions.MAX_BATCH, 4);
            options.set(InferenceOptions.TOKEN_BUDGET, 64);
            Set<String> expected = new HashSet<>();
            try (RunningJob job = RunningJob.start(options, 2,
                    spec -> spec.withFactory(new CrashingEngineFactory(spec.factory(), IMAGES)));
                    JobOutputs outputs = new JobOutputs(kafka.bootstrapServers());
                    EventProducer producer = EventProducer.connect(kafka.bootstrapServers())) {
                SyntheticImages images = new SyntheticImages(11);
                // Every image gets a caption and a question: 2 x IMAGES requests, the failure in the middle.
                for (int i = 0; i < IMAGES; i++) {
                    String id = "img-" + i;
                    SyntheticImages.Scene scene = images.next(64, 48);
                    producer.send(Topic.IMAGES.defaultName(), ImageEvent.newBuilder().setImageId(id).setSource("test")
                            .setEventTime(Instant.now()).setMediaType(scene.mediaType())
                            .setData(ByteBuffer.wrap(scene.data())).build());
                    producer.send(Topic.REQUESTS.defaultName(), VlmRequest.newBuilder().setRequestId("q-" + i)
                            .setTask(Task.QA).setEventTime(Instant.now()).setPrompt(images.question(scene))
                            .setImageIds(List.of(id)).build());
                    expected.add("caption:" + id);
                    expected.add("q-" + i);
                }
                producer.flush();
                outputs.awaitResults(r -> r.stream().map(VlmResult::getRequestId).collect(Collectors.toSet())
                        .containsAll(expected), "a result for every request", Duration.ofSeconds(120));
                // More submissions than requests: the restarted job replayed what the failed attempt had in flight.
                assertThat(CrashingEngineFactory.SUBMISSIONS.get()).as("submissions, the crash included")
                        .isGreaterThan(2 * IMAGES + 1);
                // Stopping with a savepoint commits the last transactions: after it, the topic is final.
                job.stopWithSavepoint(savepoints);
            }

            Map<String, Long> committed = readAllResults(kafka.bootstrapServers());
            assertThat(committed.keySet()).isEqualTo(expected);
            assertThat(committed).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        }
    }

    private static Map<String, Long> readAllResults(String bootstrapServers) {
        try (EventReader<VlmResult> reader = EventReader.open(bootstrapServers, Topic.RESULTS.defaultName(),
                VlmResult.class, true)) {
            return reader.readToEnd(Duration.ofSeconds(30)).stream().map(r -> r.event().getRequestId())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        }
    }
}
