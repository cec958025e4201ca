package dev.hovle.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.pipeline.training.ShapesSamples;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.SyntheticImages;
import dev.hovle.web.JobGauges;
import dev.hovle.tools.cluster.FlinkImage;
import dev.hovle.tools.cluster.FlinkRestGauges;
import dev.hovle.tools.cluster.LocalCluster;
import dev.hovle.tools.cluster.LocalCluster.JobKind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The inference job on a standalone cluster of real processes (a JobManager, two TaskManagers, a Kafka broker JVM),
 * from the jars of the Flink image, through faults a platform team sees: a TaskManager killed with {@code kill -9}
 * and replaced, the broker restarted, and an upgrade through stop-with-savepoint to a changed job. After each,
 * read_committed consumers see every result exactly once. The training job, its TaskManager killed, resumes from its
 * last checkpoint at the exact step, with the same weights as a run without the fault. Each fault's cost is printed
 * as a table row.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsITCase {
    private static final Duration RESULTS_TIMEOUT = Duration.ofMinutes(3);
    private static final String RESULTS = Topic.RESULTS.defaultName();
    private static final int BATCH = 4;
    private static final int INTERVAL = 5;
    private static final int HELD_OUT = 12;

    /** Under target/, not a temporary folder: the processes' logs stay for whoever debugs a failure. */
    private static final Path work = Path.of("target", "cluster-faults").toAbsolutePath();

    private static LocalCluster cluster;
    private static EventProducer producer;
    private static EventReader<VlmResult> results;
    private static final Map<String, Integer> seen = new ConcurrentHashMap<>();
    private static final List<VlmResult> received = new ArrayList<>();
    /** When each of {@link #received} was read, in the same order. */
    private static final List<Long> readAt = new ArrayList<>();
    /** Where each of {@link #received} sat on the results topic. */
    private static final List<String> offsets = new ArrayList<>();
    private static final List<String> costs = new ArrayList<>();
    private static Path model;
    private static String job;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(work);
        model = work.resolve("models").resolve("tiny");
        SnapshotInitializer.create(model, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
        cluster = LocalCluster.builder().setImage(FlinkImage.fromRepository(Path.of("..")))
                .setWorkDir(work.resolve("cluster"))
                .optFlinkOptions(Map.of(
                        "execution.checkpointing.interval", "1s",
                        // Production keeps Flink's 50 s: here a lost TaskManager is noticed within seconds.
                        "heartbeat.interval", "1000", "heartbeat.timeout", "5000",
                        "cluster.evenly-spread-out-slots", "true",
                        "hovle.generation.max-new-tokens", "6",
                        "hovle.images.wait", "5min"))
                .build().start();
        List<String> topics = Arrays.stream(Topic.values()).map(Topic::defaultName).toList();
        EmbeddedKafka.createTopics(cluster.bootstrapServers(), topics, 2, (short) 1);
        producer = EventProducer.connect(cluster.bootstrapServers());
        results = EventReader.open(cluster.bootstrapServers(), RESULTS, VlmResult.class, true);
        job = cluster.submit(JobKind.INFERENCE, Map.of("hovle.model.dir", model.toString(),
                "parallelism.default", "2", "hovle.engine.max-batch", "4"), null);
    }

    @AfterAll
    static void stop() {
        System.out.println("| fault | fault to the first result of an image sent after it | largest end-to-end "
                + "latency of the results read after it |");
        System.out.println("|---|---|---|");
        costs.forEach(System.out::println);
        if (results != null) {
            results.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void servesEveryImageExactlyOnceWhenATaskManagerIsKilledAndReplaced() throws Exception {
        sendImages("tm", 0, 12);
        awaitResults(captions("tm", 0, 4));
        // What hovle web shows beside a cluster: the engines' gauges through the JobManager's REST API.
        FlinkRestGauges rest = new FlinkRestGauges(cluster.rest());
        Map<String, Double> gauges = rest.read();
        for (int attempt = 0; attempt < 60 && !gauges.containsKey(JobGauges.BATCH_OCCUPANCY); attempt++) {
            Thread.sleep(500); // the JobManager fetches its TaskManagers' metrics every few seconds
            gauges = rest.read();
        }
        assertThat(gauges).containsKeys(JobGauges.QUEUE_DEPTH, JobGauges.BATCH_OCCUPANCY, JobGauges.TOKENS_PER_SECOND,
                JobGauges.SOURCE_BACK_PRESSURE);
        assertThat(gauges.get(JobGauges.BATCH_OCCUPANCY)).isBetween(0.0, 1.0);
        String victim = cluster.rest().taskManagersOf(job).iterator().next();
        long fault = System.currentTimeMillis();
        cluster.kill(victim);
        sendImages("tm", 12, 12);
        cluster.startTaskManager("taskmanager-3");
        awaitResults(captions("tm", 0, 24));

        assertExactlyOnce("tm");
        assertThat(cluster.rest().failures(job)).as("the kill failed the job's tasks on that TaskManager")
                .anySatisfy(f -> assertThat(f).contains(victim));
        record("TaskManager killed (`kill -9`) and replaced", fault);
    }

    @Test
    @Order(2)
    void servesEveryImageExactlyOnceWhenTheBrokerRestarts() throws Exception {
        sendImages("broker", 0, 12);
        awaitResults(captions("broker", 0, 4));
        long fault = System.currentTimeMillis();
        producer.close();
        cluster.restartBroker();
        producer = EventProducer.connect(cluster.bootstrapServers());
        sendImages("broker", 12, 12);
        awaitResults(captions("broker", 0, 24));

        assertExactlyOnce("broker");
        record("Kafka broker restarted", fault);
    }

    @Test
    @Order(3)
    void carriesPendingJoinsAndTheServingVersionThroughASavepointUpgrade() throws Exception {
        ModelStore store = ModelStore.at(work.resolve("cluster").resolve("store").toString());
        Path second = work.resolve("models").resolve("second");
        SnapshotInitializer.create(second, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 9);
        ModelStore.Published v2 = store.publish(second, "v2");
        producer.send(Topic.MODEL_UPDATES.defaultName(), ModelUpdate.newBuilder().setModelName("hovle")
                .setVersion("v2").setParentVersion("tiny").setStage(TrainingStage.INSTRUCTION).setStep(25)
                .setSamplesSeen(400).setUri(v2.uri()).setChecksums(v2.checksums())
                .setMetrics(Map.of("eval_loss", 1.0)).setStatus(ModelStatus.PROMOTED).setTime(Instant.now())
                .build()).get();
        // Until the job serves v2: it loads the checkpoint while earlier images are still answered by the snapshot.
        int sent = 0;
        while (received.stream().noneMatch(x -> x.getRequestId().startsWith("caption:before")
                && x.getModelVersion().equals("v2"))) {
            assertThat(sent).as("images sent before a result came from v2").isLessThan(60);
            sendImages("before", sent, 2);
            sent += 2;
            awaitResults(captions("before", 0, sent));
        }
        // A question whose picture has not arrived: the job holds it in its join state.
        long checkpoints = cluster.rest().completedCheckpoints(job);
        producer.send(Topic.REQUESTS.defaultName(), VlmRequest.newBuilder().setRequestId("qa-late").setTask(Task.QA)
                .setEventTime(Instant.now()).setImageIds(List.of("late")).setPrompt("What is in the picture?").build())
                .get();
        awaitCheckpoints(checkpoints + 2); // the second began after the request was sent: it is in the join's state

        long fault = System.currentTimeMillis();
        String savepoint = cluster.rest().stopWithSavepoint(job, cluster.savepoints().toUri().toString());
        // The upgraded job: a changed option on the same operators (their uids are stable), from the savepoint.
        job = cluster.submit(JobKind.INFERENCE, Map.of("hovle.model.dir", model.toString(),
                "parallelism.default", "2", "hovle.engine.max-batch", "2"), savepoint);
        producer.send(Topic.IMAGES.defaultName(), image("late")).get();
        sendImages("after", 0, 8);
        awaitResults(captions("after", 0, 8).and(r -> seen.containsKey("qa-late")));

        assertExactlyOnce("before");
        assertExactlyOnce("after");
        assertThat(seen.get("qa-late")).as("the pending question answered once, after the upgrade").isEqualTo(1);
        // The update is behind the savepoint's offsets: only the restored state can make the new job serve v2, and
        // it does from its first result on (the restored tasks wait for v2 before passing requests on).
        assertThat(received.stream().filter(r -> r.getRequestId().startsWith("caption:after")))
                .as("the upgraded job serves the version promoted before the savepoint")
                .allSatisfy(r -> assertThat(r.getModelVersion()).isEqualTo("v2"));
        record("stop-with-savepoint, changed job started from it", fault);
    }

    @Test
    @Order(4)
    void resumesTrainingAtTheExactStepAfterItsTaskManagerIsKilled() throws Exception {
        cluster.rest().cancel(job); // its slots are the training job's now
        ModelUpdate reference = trainTwoVersions("straight", false);
        ModelUpdate resumed = trainTwoVersions("killed", true);

        assertThat(resumed.getStep()).isEqualTo(reference.getStep()).isEqualTo(2L * INTERVAL);
        assertThat(resumed.getSamplesSeen()).isEqualTo(reference.getSamplesSeen());
        // Same weights, optimizer moments and trainer state, byte for byte: no sample lost or trained twice.
        assertThat(resumed.getChecksums()).isEqualTo(reference.getChecksums());
    }

    /**
     * Runs the training job on topics of its own until its second version; with {@code kill}, kills the TaskManager
     * running the trainer once the first version's verdict is committed (so a checkpoint with training steps has
     * completed) and starts a replacement.
     */
    private static ModelUpdate trainTwoVersions(String name, boolean kill) throws Exception {
        String samples = name + ".samples";
        String updates = name + ".model-updates";
        EmbeddedKafka.createTopics(cluster.bootstrapServers(), List.of(samples, updates, name + ".dlq"), 1, (short) 1);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("hovle.model.dir", model.toString());
        options.put("hovle.model.version", "root");
        options.put("hovle.topics.samples", samples);
        options.put("hovle.topics.model-updates", updates);
        options.put("hovle.topics.dead-letters", name + ".dlq");
        options.put("hovle.training.group-id", name);
        options.put("hovle.training.transactional-id-prefix", name);
        options.put("hovle.store.uri", work.resolve("cluster").resolve("store-" + name).toString());
        options.put("hovle.prepare.parallelism", "1"); // one order of samples, so the runs compare
        options.put("hovle.training.batch-size", Integer.toString(BATCH));
        options.put("hovle.training.version-interval", Integer.toString(INTERVAL));
        options.put("hovle.training.eval-samples", Integer.toString(HELD_OUT));
        options.put("hovle.training.warmup-steps", "2");
        options.put("hovle.training.learning-rate", "0.01");
        // Pinned, as deploy/kubernetes pins it: the replacement TaskManager never ran an inference engine, which
        // sets PyTorch's per-process thread count, and the resumed run must sum in the same order.
        options.put("hovle.training.threads", "1");
        String training = cluster.submit(JobKind.TRAINING, options, null);
        int tileSize = HoVLEConfig.read(model).imageSize();
        try (EventReader<ModelUpdate> published = EventReader.open(cluster.bootstrapServers(), updates,
                ModelUpdate.class, true)) {
            sendHeldOut(samples, tileSize);
            sendTrain(samples, tileSize, 0, BATCH * (INTERVAL + 2));
            List<ModelUpdate> first = awaitUpdates(published, 2);
            if (kill) {
                String victim = cluster.rest().taskManagersOf(training).iterator().next();
                long fault = System.currentTimeMillis();
                cluster.kill(victim);
                cluster.startTaskManager(victim + "-replacement");
                sendTrain(samples, tileSize, BATCH * (INTERVAL + 2), BATCH * (INTERVAL - 2));
                List<ModelUpdate> second = awaitUpdates(published, 2);
                costs.add(String.format(Locale.ROOT, "| training job's TaskManager killed (`kill -9`) | %.1f s to "
                        + "its next version | |", (System.currentTimeMillis() - fault) / 1000.0));
                assertThat(cluster.rest().failures(training)).anySatisfy(f -> assertThat(f).contains(victim));
                return second.get(1);
            }
            sendTrain(samples, tileSize, BATCH * (INTERVAL + 2), BATCH * (INTERVAL - 2));
            assertThat(first).hasSize(2);
            return awaitUpdates(published, 2).get(1);
        } finally {
            cluster.rest().cancel(training);
        }
    }

    private static void sendHeldOut(String topic, int tileSize) throws Exception {
        ShapesDataset eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(tileSize).build();
        List<TrainingSample> questions = new ArrayList<>();
        for (int picture = 0; questions.size() < HELD_OUT; picture++) {
            questions.addAll(ShapesSamples.eval(eval, picture, TrainingStage.INSTRUCTION));
        }
        for (TrainingSample sample : questions.subList(0, HELD_OUT)) {
            producer.send(topic, sample);
        }
        producer.flush();
    }

    private static void sendTrain(String topic, int tileSize, int from, int count) throws Exception {
        ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tileSize)
                .build();
        for (int i = from; i < from + count; i++) {
            producer.send(topic, ShapesSamples.train(train, i, TrainingStage.INSTRUCTION));
        }
        producer.flush();
    }

    /** The next {@code count} committed updates (a version and its verdict). */
    private static List<ModelUpdate> awaitUpdates(EventReader<ModelUpdate> reader, int count) {
        List<ModelUpdate> out = new ArrayList<>();
        long end = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
        while (out.size() < count) {
            assertThat(System.nanoTime()).as("updates committed within " + RESULTS_TIMEOUT + ": " + out).isLessThan(end);
            reader.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.event()));
        }
        return out;
    }

    /** Until the inference job has completed {@code count} checkpoints. */
    private static void awaitCheckpoints(long count) throws Exception {
        long end = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
        while (cluster.rest().completedCheckpoints(job) < count) {
            assertThat(System.nanoTime()).as(count + " checkpoints within " + RESULTS_TIMEOUT).isLessThan(end);
            Thread.sleep(100);
        }
    }

    private static void sendImages(String prefix, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            producer.send(Topic.IMAGES.defaultName(), image(id(prefix, i)));
        }
        producer.flush();
    }

    private static ImageEvent image(String id) {
        return ImageEvent.newBuilder().setImageId(id).setSource("cluster-test").setEventTime(Instant.now())
                .setMediaType("image/png").setData(ByteBuffer.wrap(new SyntheticImages(id.hashCode()).next(48, 48)
                        .data())).build();
    }

    private static String id(String prefix, int i) {
        return String.format(Locale.ROOT, "%s-%03d", prefix, i);
    }

    /** Until every caption of {@code prefix-from ... prefix-(from+count-1)} has been committed. */
    private static Predicate<Map<String, Integer>> captions(String prefix, int from, int count) {
        return counts -> {
            for (int i = from; i < from + count; i++) {
                if (!counts.containsKey("caption:" + id(prefix, i))) {
                    return false;
                }
            }
            return true;
        };
    }

    private static void awaitResults(Predicate<Map<String, Integer>> done) throws Exception {
        long end = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("results missing after " + RESULTS_TIMEOUT + "; committed so far: "
                        + new java.util.TreeMap<>(seen).keySet() + "; processes " + cluster.processes());
            }
            for (EventReader.Received<VlmResult> r : results.poll(Duration.ofMillis(200))) {
                received.add(r.event());
                readAt.add(System.currentTimeMillis());
                offsets.add(r.partition() + "@" + r.offset());
                seen.merge(r.event().getRequestId(), 1, Integer::sum);
            }
        }
    }

    private static void assertExactlyOnce(String prefix) {
        Map<String, Integer> ours = new LinkedHashMap<>();
        seen.forEach((id, n) -> {
            if (id.startsWith("caption:" + prefix + "-")) {
                ours.put(id, n);
            }
        });
        assertThat(ours).isNotEmpty();
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < received.size(); i++) {
            if (ours.getOrDefault(received.get(i).getRequestId(), 1) > 1) {
                duplicates.add(received.get(i).getRequestId() + " at " + offsets.get(i));
            }
        }
        assertThat(duplicates).as("results of " + prefix + " committed more than once").isEmpty();
    }

    /**
     * The table row of a fault: from the fault to the first committed result of an image sent after it, and the
     * largest end-to-end latency (event time to read) of every result read after the fault.
     */
    private static void record(String fault, long faultMillis) {
        long recovery = Long.MAX_VALUE;
        long worst = 0;
        for (int i = 0; i < received.size(); i++) {
            VlmResult r = received.get(i);
            if (readAt.get(i) > faultMillis) {
                worst = Math.max(worst, readAt.get(i) - r.getEventTime().toEpochMilli());
                if (r.getEventTime().toEpochMilli() >= faultMillis) {
                    recovery = Math.min(recovery, readAt.get(i) - faultMillis);
                }
            }
        }
        costs.add(String.format(Locale.ROOT, "| %s | %.1f s | %.1f s |", fault, recovery / 1000.0, worst / 1000.0));
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }
}
