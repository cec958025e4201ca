package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.dataset.ShapesDataset;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.pipeline.training.ShapesSamples;
import dev.hovle.pipeline.training.TrainingJob;
import dev.hovle.pipeline.training.TrainingOptions;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on the in-process broker and one MiniCluster: from an untrained tiny model, the training job learns
 * from a stream of {@code shapes} samples and promotes versions, the inference job swaps them in, and its answers to
 * questions about pictures neither job trained on become right under the newest version, every result naming it.
 */
class ContinuousTrainingITCase {
    /**
     * Pictures of one shape, asked every kind of question (caption, count, colour, kind): what a tiny model learns
     * from scratch within a CI budget. On pictures of up to three shapes (the local runtime's stream, {@code
     * ShapesStream}) three runs of this test with {@code hovle train}'s 5,000-step recipe reached 91, 91 and at most
     * 88 of 100 answers: not yet a reliable test (README, "The streaming pipeline").
     */
    private static final int MAX_SHAPES = 1; // the TRAIN stream is ShapesDataset.warmUp: one shape per picture too
    private static final int PROBES = 40;
    private static final Duration BUDGET = Duration.ofMinutes(6); // ~3 min on the 2-core dev box

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    @TempDir
    static Path modelDir;

    @TempDir
    static Path store;

    @TempDir
    static Path checkpoints;

    @Test
    void answersBecomeRightUnderTheNewestPromotedVersion() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
        Configuration options = new Configuration();
        options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
        options.set(InferenceOptions.MODEL_VERSION, "untrained");
        options.set(InferenceOptions.MAX_NEW_TOKENS, 8);
        options.set(TrainingOptions.STORE_URI, store.toString());
        // Both jobs checkpoint to files, as on a cluster: JobManager memory refuses state over 5 MB.
        options.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        options.set(TrainingOptions.VERSION_INTERVAL, 20);
        options.set(TrainingOptions.EVAL_SAMPLES, 24);
        options.set(TrainingOptions.GATE_MAX_ACCURACY_DROP, 0.2);
        ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
        try (JobUnderTest serving = JobUnderTest.start(options, e -> e)) {
            Configuration conf = new Configuration(options);
            conf.set(InferenceOptions.BOOTSTRAP_SERVERS, serving.kafka().bootstrapServers());
            JobClient training = startTraining(conf);
            EventProducer producer = serving.producer();
            feed(producer, feeder);

            ShapesDataset unseen = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optSeed(99)
                    .optImageSize(56).optMaxShapes(MAX_SHAPES).build();
            AtomicInteger asked = new AtomicInteger();
            long end = System.nanoTime() + BUDGET.toNanos();
            Score best = new Score(null, 0, 0);
            String newest = null;
            try (EventReader<ModelUpdate> updates = EventReader.open(serving.kafka().bootstrapServers(),
                    Topic.MODEL_UPDATES.defaultName(), ModelUpdate.class, true)) {
                String scored = null;
                while (best.accuracy() < 0.9 && System.nanoTime() < end) {
                    // Waits for the next update (up to 2 s) rather than asking the same version again.
                    newest = newestPromoted(updates, newest);
                    if (newest == null || newest.equals(scored)) {
                        continue;
                    }
                    Score score = askAndScore(serving, producer, unseen, asked, newest);
                    // Until the engine has swapped the new version in, the old one answers: ask again.
                    if (score.answered() >= PROBES / 2) {
                        scored = newest;
                        best = score;
                    }
                }
            } finally {
                training.cancel().get();
            }
            assertThat(newest).as("a promoted version").isNotNull();
            assertThat(best.accuracy()).as("right answers under %s", best.version()).isGreaterThanOrEqualTo(0.9);
        } finally {
            feeder.shutdownNow();
        }
    }

    /** Answers by one version to probe questions, and how many of them were right. */
    private record Score(String version, int answered, int right) {
        double accuracy() {
            return answered == 0 ? 0 : (double) right / answered;
        }
    }

    /** Asks {@link #PROBES} questions about unseen pictures and scores the answers {@code version} gave. */
    private static Score askAndScore(JobUnderTest serving, EventProducer producer, ShapesDataset unseen,
            AtomicInteger asked, String version) throws Exception {
        Map<String, String> expected = new HashMap<>();
        while (expected.size() < PROBES) {
            int n = asked.incrementAndGet();
            List<EvalQuestion> questions = unseen.questions(n);
            String imageId = "probe-" + n;
            Instant now = Instant.now();
            producer.send(Topic.IMAGES.defaultName(), ImageEvent.newBuilder().setImageId(imageId).setSource("test")
                    .setEventTime(now).setMediaType("image/png").setData(ByteBuffer.wrap(questions.get(0).images()
                            .get(0))).build());
            for (int i = 0; i < questions.size() && expected.size() < PROBES; i++) {
                String requestId = "qa-" + n + "-" + i;
                producer.send(Topic.REQUESTS.defaultName(), VlmRequest.newBuilder().setRequestId(requestId)
                        .setTask(Task.QA).setEventTime(now).setImageIds(List.of(imageId))
                        .setPrompt(questions.get(i).question()).build());
                expected.put(requestId, questions.get(i).answer());
            }
        }
        producer.flush();
        List<VlmResult> results = serving.outputs().awaitResults(
                all -> expected.keySet().stream().allMatch(id -> all.stream().anyMatch(r -> r.getRequestId().equals(id))),
                PROBES + " answers", Duration.ofSeconds(60));
        int right = 0;
        int byVersion = 0;
        for (VlmResult r : results) {
            String answer = expected.get(r.getRequestId());
            if (answer == null) {
                continue;
            }
            assertThat(r.getModelVersion()).as("every result names its version").isNotBlank();
            if (r.getModelVersion().equals(version)) {
                byVersion++;
                right += r.getText().strip().equals(answer) ? 1 : 0;
            }
        }
        return new Score(version, byVersion, right);
    }

    /** The newest PROMOTED version committed so far (or {@code known} when nothing newer arrived). */
    private static String newestPromoted(EventReader<ModelUpdate> updates, String known) {
        String newest = known;
        for (EventReader.Received<ModelUpdate> r : updates.poll(Duration.ofSeconds(2))) {
            if (r.event() != null && r.event().getStatus() == ModelStatus.PROMOTED) {
                newest = r.event().getVersion();
            }
        }
        return newest;
    }

    /** The held-out questions, then two training steps' worth of samples every 250 ms. */
    private static void feed(EventProducer producer, ScheduledExecutorService feeder) {
        ShapesDataset train = ShapesDataset.warmUp(0, 56); // one shape, all its questions per sample
        ShapesDataset eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(56)
                .optMaxShapes(MAX_SHAPES).build();
        List<TrainingSample> heldOut = new ArrayList<>();
        for (int picture = 0; heldOut.size() < 24; picture++) {
            heldOut.addAll(ShapesSamples.eval(eval, picture, TrainingStage.INSTRUCTION));
        }
        heldOut.subList(0, 24).forEach(s -> producer.send(Topic.SAMPLES.defaultName(), s));
        AtomicInteger next = new AtomicInteger();
        feeder.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 32; i++) {
                producer.send(Topic.SAMPLES.defaultName(), ShapesSamples.train(train, next.getAndIncrement(),
                        TrainingStage.INSTRUCTION));
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    private static JobClient startTraining(Configuration options) throws Exception {
        Configuration conf = new Configuration(options);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        TrainingJob.onKafka(conf).build().addTo(env);
        return env.executeAsync("hovle-training-loop-test");
    }
}
