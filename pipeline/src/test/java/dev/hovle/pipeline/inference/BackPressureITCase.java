package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.LocalMetrics;
import dev.hovle.testkit.SyntheticImages;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A deliberately slow engine back-pressures the Kafka source instead of letting requests pile up anywhere. */
class BackPressureITCase {
    private static final int REQUESTS = 40;
    private static final int CAPACITY = 2;
    /** Slow enough that the run outlasts Flink's 5 s metric view updates a few times over. */
    private static final long MILLIS_PER_REQUEST = 300;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LocalMetrics.configure(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @TempDir
    static Path modelDir;

    @Test
    void slowEngineSlowsTheSourceKeepsMemoryBoundedAndLosesNothing() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(Arrays.stream(Topic.values()).map(Topic::defaultName).toList(), 1);
            Configuration options = new Configuration();
            options.set(InferenceOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
            options.set(InferenceOptions.MAX_NEW_TOKENS, 4);
            options.set(InferenceOptions.MAX_BATCH, CAPACITY);
            options.set(InferenceOptions.TOKEN_BUDGET, 64);
            options.set(InferenceOptions.GENERATE_CAPACITY, CAPACITY);
            try (RunningJob job = RunningJob.start(options, 1,
                    spec -> spec.withFactory(new SlowEngineFactory(spec.factory(), MILLIS_PER_REQUEST)));
                    JobOutputs outputs = new JobOutputs(kafka.bootstrapServers());
                    EventProducer producer = EventProducer.connect(kafka.bootstrapServers())) {
                // Large, incompressible requests: the network buffers between the operators hold only a few.
                Random random = new Random(1);
                for (int i = 0; i < REQUESTS; i++) {
                    producer.send(Topic.REQUESTS.defaultName(), caption("slow-" + i, noise(random, 160, 160)));
                }
                producer.flush();

                double maxBackPressure = 0;
                double minLag = Double.MAX_VALUE;
                int seen = 0;
                while (seen < REQUESTS) {
                    int next = seen + 1;
                    seen = outputs.awaitResults(r -> r.size() >= next, next + " results", Duration.ofSeconds(60)).size();
                    double backPressure = sourceBackPressure();
                    if (!Double.isNaN(backPressure)) {
                        maxBackPressure = Math.max(maxBackPressure, backPressure);
                    }
                    if (seen < REQUESTS / 2) {
                        // The source's position in the requests partition: the next offset it will read.
                        double read = LocalMetrics.max("partition.0.currentOffset", r -> true);
                        assertThat(read).as("source offset metric").isNotNaN();
                        minLag = Math.min(minLag, REQUESTS - read);
                    }
                }
                Set<String> ids = outputs.results().stream().map(VlmResult::getRequestId).collect(Collectors.toSet());

                assertThat(ids).hasSize(REQUESTS);
                assertThat(SlowEngineFactory.MAX_HELD.get()).isLessThanOrEqualTo(CAPACITY);
                assertThat(maxBackPressure).as("source back-pressured ms/s").isGreaterThan(200);
                assertThat(minLag).as("requests still unread in Kafka while the first half was served").isPositive();
                System.out.printf("max source back-pressure %.0f ms/s, min unread %s, max held %d%n", maxBackPressure,
                        minLag, SlowEngineFactory.MAX_HELD.get());
            }
        }
    }

    private static double sourceBackPressure() {
        return LocalMetrics.max("backPressuredTimeMsPerSecond", r -> r.task().startsWith("Source: requests"));
    }

    private static VlmRequest caption(String id, byte[] png) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(Instant.now())
                .setImages(List.of(InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(png))
                        .build()))
                .build();
    }

    private static byte[] noise(Random random, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return SyntheticImages.encode(image, "png");
    }
}
