package dev.hovle.pipeline.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.pipeline.hostile.JobRestarts;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.pipeline.kafka.SourceRecordDeserializer;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.DataSplit;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.HostileImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training job on the in-process broker and a MiniCluster: it trains a tiny model on {@code shapes} samples,
 * proposes versions through the gate, stores them verifiably, and survives a task failure without training any
 * sample twice or skipping one.
 */
class TrainingJobITCase {
    private static final int BATCH = 4;
    private static final int INTERVAL = 5;
    private static final int HELD_OUT = 12;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final EventCodec<TrainingSample> SAMPLES = EventCodec.of(TrainingSample.class);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path modelDir;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void model() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 11);
    }

    @Test
    void promotesALearningCandidateRejectsAWorseOneAndDeadLettersBadSamples(@TempDir Path store) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            Topics topics = new Topics("gate", broker);
            Configuration options = options(broker, topics, store);
            try (EventProducer producer = EventProducer.connect(broker.bootstrapServers());
                    EventReader<ModelUpdate> updates = EventReader.open(broker.bootstrapServers(), topics.updates,
                            ModelUpdate.class, true);
                    EventReader<DeadLetter> deadLetters = EventReader.open(broker.bootstrapServers(), topics.deadLetters,
                            DeadLetter.class, true)) {
                JobClient job = start(options, TrainingKafka.sampleSource(options));
                try {
                    sendHeldOut(producer, topics.samples);
                    sendBroken(producer, topics.samples);
                    sendTrain(producer, topics.samples, 0, 2 * BATCH * INTERVAL, false);
                    List<ModelUpdate> first = await(updates, u -> u.size() >= 4, "two versions' verdicts");
                    assertThat(first).extracting(ModelUpdate::getStatus).first().isEqualTo(ModelStatus.CANDIDATE);
                    ModelUpdate promoted = first.get(1);
                    assertThat(promoted.getStatus()).as(promoted.getReason()).isEqualTo(ModelStatus.PROMOTED);
                    assertThat(promoted.getParentVersion()).isEqualTo("root");
                    assertThat(promoted.getStep()).isEqualTo(INTERVAL);
                    assertThat(promoted.getSamplesSeen()).isEqualTo(BATCH * INTERVAL);
                    assertThat(promoted.getMetrics()).containsKeys("eval_loss", "eval_accuracy");
                    // The stored version is verified file by file and loads as any release.
                    Path fetched = ModelStore.fetch(promoted.getUri(), promoted.getChecksums(),
                            store.resolve("fetched"), ModelStore.at(store.toString()).fetchLimits(1L << 30));
                    try (HoVLEModel loaded = HoVLEModel.load(fetched)) {
                        assertThat(loaded.config().llm().vocabSize()).isPositive();
                    }
                    ModelUpdate second = first.get(3);
                    String serving = second.getStatus() == ModelStatus.PROMOTED ? second.getVersion()
                            : promoted.getVersion();
                    assertThat(second.getParentVersion()).isEqualTo(promoted.getVersion());

                    // Answers of random letters make the next candidate worse on the held-out questions.
                    sendTrain(producer, topics.samples, 2 * BATCH * INTERVAL, BATCH * INTERVAL, true);
                    List<ModelUpdate> third = await(updates, u -> u.size() >= 2, "the third version's verdict");
                    ModelUpdate rejected = third.get(1);
                    assertThat(rejected.getStatus()).as(rejected.getReason()).isEqualTo(ModelStatus.REJECTED);
                    assertThat(rejected.getParentVersion()).isEqualTo(serving);

                    // An operator rolls the serving version back: the gate's bar returns to its parent.
                    ModelUpdate servingUpdate = second.getStatus() == ModelStatus.PROMOTED ? second
                            : promoted;
                    producer.send(topics.updates, ModelUpdate.newBuilder(servingUpdate)
                            .setStatus(ModelStatus.ROLLED_BACK).setReason("test").build()).get();
                    await(updates, u -> u.size() >= 1, "the rollback");
                    sendTrain(producer, topics.samples, 3 * BATCH * INTERVAL, BATCH * INTERVAL, false);
                    List<ModelUpdate> fourth = await(updates, u -> u.size() >= 2, "the fourth version's verdict");
                    assertThat(fourth.get(0).getParentVersion()).isEqualTo(servingUpdate.getParentVersion());

                    List<DeadLetter> letters = await(deadLetters, d -> d.size() >= 3, "three dead letters");
                    assertThat(letters).extracting(DeadLetter::getErrorType).containsExactlyInAnyOrder(
                            ErrorType.UNDECODABLE_RECORD, ErrorType.CORRUPT_IMAGE, ErrorType.INVALID_SAMPLE);
                    assertThat(letters).allSatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo(topics.samples));
                } finally {
                    cancel(job);
                }
            }
        }
    }

    @Test
    void deadLettersEveryHostileSampleAndKeepsTraining(@TempDir Path store) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            Topics topics = new Topics("hostile", broker);
            Configuration options = options(broker, topics, store);
            options.set(InferenceOptions.IMAGE_MAX_BYTES, new MemorySize(64 * 1024));
            options.set(InferenceOptions.MAX_IMAGES, 4);
            options.set(InferenceOptions.FAILURES_LEDGER_DIR, store.resolve("ledger").toString());
            Map<String, ErrorType> hostile = new LinkedHashMap<>();
            try (EventProducer producer = EventProducer.connect(broker.bootstrapServers());
                    EventReader<ModelUpdate> updates = EventReader.open(broker.bootstrapServers(), topics.updates,
                            ModelUpdate.class, true);
                    EventReader<DeadLetter> deadLetters = EventReader.open(broker.bootstrapServers(), topics.deadLetters,
                            DeadLetter.class, true)) {
                JobClient job = start(options, TrainingKafka.sampleSource(options));
                try {
                    sendHostile(producer, topics.samples, hostile);
                    sendHeldOut(producer, topics.samples);
                    sendTrain(producer, topics.samples, 0, BATCH * INTERVAL, false);

                    List<ModelUpdate> verdict = await(updates, u -> u.size() >= 2, "the first version after them");
                    assertThat(verdict.get(1).getStep()).isEqualTo(INTERVAL);
                    assertThat(verdict.get(1).getSamplesSeen()).isEqualTo(BATCH * INTERVAL);
                    List<DeadLetter> letters = await(deadLetters, d -> d.size() >= hostile.size(),
                            hostile.size() + " dead letters");
                    Map<String, List<DeadLetter>> byKey = letters.stream().collect(Collectors.groupingBy(
                            l -> StandardCharsets.UTF_8.decode(l.getKey().duplicate()).toString()));
                    assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(hostile.keySet());
                    hostile.forEach((key, expected) -> assertThat(byKey.get(key)).as(key).singleElement()
                            .satisfies(l -> {
                                assertThat(l.getErrorType()).as("%s: %s", key, l.getMessage()).isEqualTo(expected);
                                assertThat(l.getSourceTopic()).isEqualTo(topics.samples);
                                assertThat(l.getPayload()).isNotNull();
                            }));
                    assertThat(JobRestarts.of(FLINK.getClientConfiguration(), job.getJobID())).as("restarts").isZero();
                } finally {
                    cancel(job);
                }
            }
        }
    }

    /** Random bytes, broken Avro, image bombs and impossible conversations, each keyed by its expected dead letter. */
    private static void sendHostile(EventProducer producer, String topic, Map<String, ErrorType> expected)
            throws Exception {
        Random random = new Random(18);
        TrainingSample good = ShapesSamples.of(ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN)
                .optImageSize(56).build().get(998), DataSplit.TRAIN, TrainingStage.INSTRUCTION);
        byte[] valid = SAMPLES.encode(good);
        List<byte[]> values = new ArrayList<>();
        List<ErrorType> types = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            values.add(HostileImages.noise(random, random.nextInt(300)));
            types.add(ErrorType.UNDECODABLE_RECORD);
            values.add(java.util.Arrays.copyOf(valid, 10 + random.nextInt(valid.length - 10)));
            types.add(ErrorType.UNDECODABLE_RECORD);
        }
        for (int i = 0; i < 30; i++) {
            byte[] flipped = valid.clone();
            flipped[2 + random.nextInt(8)] ^= (byte) (1 << random.nextInt(8));
            values.add(flipped);
            types.add(ErrorType.UNKNOWN_SCHEMA);
        }
        Map<byte[], ErrorType> images = new LinkedHashMap<>();
        images.put(HostileImages.pngDeclaring(60_000, 60_000), ErrorType.IMAGE_TOO_LARGE);
        images.put(HostileImages.jpegDeclaring(65_000, 65_000), ErrorType.IMAGE_TOO_LARGE);
        images.put(HostileImages.webpDeclaring(16_384, 16_384), ErrorType.IMAGE_TOO_LARGE);
        images.put(HostileImages.noise(random, 64 * 1024 + 1), ErrorType.IMAGE_TOO_LARGE);
        images.put(HostileImages.gif(), ErrorType.UNSUPPORTED_IMAGE_FORMAT);
        images.put(HostileImages.noise(random, 500), ErrorType.UNSUPPORTED_IMAGE_FORMAT);
        images.forEach((image, type) -> {
            values.add(SAMPLES.encode(TrainingSample.newBuilder(good).setImages(List.of(inline(image))).build()));
            types.add(type);
        });
        ChatTurn user = ChatTurn.newBuilder().setRole(ChatRole.USER).setText("<image>\nWhat is red?").build();
        ChatTurn assistant = ChatTurn.newBuilder().setRole(ChatRole.ASSISTANT).setText("circle").build();
        List<TrainingSample> impossible = List.of(
                TrainingSample.newBuilder(good).setTurns(List.of()).build(),
                TrainingSample.newBuilder(good).setTurns(List.of(user)).build(),
                TrainingSample.newBuilder(good).setTurns(List.of(assistant, user)).build(),
                TrainingSample.newBuilder(good).setWeight(7f).build(),
                TrainingSample.newBuilder(good).setSplit(DataSplit.UNKNOWN).build(),
                TrainingSample.newBuilder(good).setImages(java.util.Collections.nCopies(5, good.getImages().get(0)))
                        .build());
        for (TrainingSample sample : impossible) {
            values.add(SAMPLES.encode(sample));
            types.add(ErrorType.INVALID_SAMPLE);
        }
        values.add(SAMPLES.encode(TrainingSample.newBuilder(good).setTurns(List.of(user, ChatTurn.newBuilder(assistant)
                .setText("circle ".repeat(40_000)).build())).build()));
        types.add(ErrorType.PROMPT_TOO_LONG);
        for (int i = 0; i < values.size(); i++) {
            String key = "hostile-" + i;
            expected.put(key, types.get(i));
            producer.sendRaw(topic, key.getBytes(StandardCharsets.UTF_8), values.get(i));
        }
        producer.flush();
    }

    private static dev.hovle.schemas.InlineImage inline(byte[] data) {
        return dev.hovle.schemas.InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(data))
                .build();
    }

    @Test
    void resumesAtTheExactStepAfterATaskFailure(@TempDir Path store) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            Topics straight = new Topics("straight", broker);
            Topics failing = new Topics("failing", broker);
            ModelUpdate reference = trainTwoVersions(broker, straight, store.resolve("straight"), null);
            int failAt = HELD_OUT + BATCH * (INTERVAL + 2) + 1; // in the second half, after a checkpoint with steps
            ModelUpdate recovered = trainTwoVersions(broker, failing, store.resolve("failing"), failAt);

            assertThat(FailOnce.FAILED.get()).as("the injected failure happened").isTrue();
            assertThat(recovered.getStep()).isEqualTo(reference.getStep());
            assertThat(recovered.getSamplesSeen()).isEqualTo(reference.getSamplesSeen());
            // Same weights, optimizer moments and trainer state, byte for byte: no sample lost or repeated.
            assertThat(recovered.getChecksums()).isEqualTo(reference.getChecksums());
        }
    }

    /** Trains to the second version on a single partition; fails the source once at {@code failAt} if given. */
    private static ModelUpdate trainTwoVersions(EmbeddedKafka broker, Topics topics, Path store, Integer failAt)
            throws Exception {
        Configuration options = options(broker, topics, store);
        Source<SourceRecord, ?, ?> source = failAt == null ? TrainingKafka.sampleSource(options)
                : KafkaSource.<SourceRecord>builder().setBootstrapServers(broker.bootstrapServers())
                        .setTopics(topics.samples).setGroupId("failing").setProperty("isolation.level", "read_committed")
                        .setStartingOffsets(OffsetsInitializer.earliest()).setDeserializer(new FailOnce(failAt)).build();
        try (EventProducer producer = EventProducer.connect(broker.bootstrapServers());
                EventReader<ModelUpdate> updates = EventReader.open(broker.bootstrapServers(), topics.updates,
                        ModelUpdate.class, true)) {
            JobClient job = start(options, source);
            try {
                sendHeldOut(producer, topics.samples);
                sendTrain(producer, topics.samples, 0, BATCH * (INTERVAL + 2), false);
                // The first verdict is committed, so a checkpoint after training steps has completed.
                await(updates, u -> u.size() >= 2, "the first version");
                sendTrain(producer, topics.samples, BATCH * (INTERVAL + 2), BATCH * (INTERVAL - 2), false);
                List<ModelUpdate> second = await(updates, u -> u.size() >= 2, "the second version");
                assertThat(second.get(1).getStep()).isEqualTo(2 * INTERVAL);
                return second.get(1);
            } finally {
                cancel(job);
            }
        }
    }

    private static Configuration options(EmbeddedKafka broker, Topics topics, Path store) {
        Configuration options = new Configuration();
        options.set(InferenceOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
        options.set(InferenceOptions.MODEL_VERSION, "root");
        options.set(InferenceOptions.MODEL_UPDATES_TOPIC, topics.updates);
        options.set(InferenceOptions.DEAD_LETTERS_TOPIC, topics.deadLetters);
        options.set(InferenceOptions.PREPARE_PARALLELISM, 1); // one order of samples, so runs are comparable
        options.set(TrainingOptions.SAMPLES_TOPIC, topics.samples);
        options.set(TrainingOptions.GROUP_ID, topics.samples);
        options.set(TrainingOptions.TRANSACTIONAL_ID_PREFIX, topics.samples);
        options.set(InferenceOptions.STORE_URI, store.toString());
        options.set(TrainingOptions.BATCH_SIZE, BATCH);
        options.set(TrainingOptions.VERSION_INTERVAL, INTERVAL);
        options.set(TrainingOptions.EVAL_SAMPLES, HELD_OUT);
        options.set(TrainingOptions.WARMUP_STEPS, 2);
        options.set(TrainingOptions.LEARNING_RATE, 1e-2);
        return options;
    }

    private static JobClient start(Configuration options, Source<SourceRecord, ?, ?> source) throws Exception {
        Configuration conf = new Configuration(options);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        TrainingJob.onKafka(conf).setSampleSource(source).build().addTo(env);
        return env.executeAsync("hovle-training-test");
    }

    /**
     * Cancels a running job and waits until its tasks have ended (the cancel call returns once cancelling has begun);
     * a job that already failed is reported with its cause instead of hiding it.
     */
    private static void cancel(JobClient job) throws Exception {
        if (job.getJobStatus().get() == JobStatus.FAILED) {
            try {
                job.getJobExecutionResult().get();
            } catch (ExecutionException e) {
                throw new AssertionError("the training job failed", e.getCause());
            }
        }
        job.cancel().get();
        job.getJobExecutionResult().handle((result, cancelled) -> null).get(60, TimeUnit.SECONDS);
    }

    private static void sendHeldOut(EventProducer producer, String topic) throws Exception {
        ShapesDataset eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(56).build();
        List<TrainingSample> questions = new ArrayList<>();
        for (int picture = 0; questions.size() < HELD_OUT; picture++) {
            questions.addAll(ShapesSamples.eval(eval, picture, TrainingStage.INSTRUCTION));
        }
        for (TrainingSample sample : questions.subList(0, HELD_OUT)) {
            send(producer, topic, sample);
        }
    }

    private static void sendTrain(EventProducer producer, String topic, int from, int count, boolean nonsense)
            throws Exception {
        ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(56).build();
        for (int i = from; i < from + count; i++) {
            Sample sample = train.get(i);
            if (nonsense) {
                java.util.Random letters = new java.util.Random(i);
                List<Turn> turns = sample.turns().stream().map(t -> new Turn(t.question(), letters.ints(40, 'a', 'z' + 1)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString())).toList();
                sample = new Sample(sample.id(), sample.images(), turns);
            }
            send(producer, topic, ShapesSamples.of(sample, DataSplit.TRAIN, TrainingStage.INSTRUCTION));
        }
        producer.flush();
    }

    private static void sendBroken(EventProducer producer, String topic) throws Exception {
        producer.sendRaw(topic, "garbage".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}).get();
        TrainingSample good = ShapesSamples.of(ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN)
                .optImageSize(56).build().get(999), DataSplit.TRAIN, TrainingStage.INSTRUCTION);
        byte[] png = good.getImages().get(0).getData().array();
        TrainingSample corrupt = TrainingSample.newBuilder(good).setSampleId("corrupt")
                .setImages(List.of(dev.hovle.schemas.InlineImage.newBuilder().setMediaType("image/png")
                        .setData(ByteBuffer.wrap(java.util.Arrays.copyOf(png, png.length / 2))).build()))
                .build();
        TrainingSample twoQuestions = TrainingSample.newBuilder(good).setSampleId("two-questions")
                .setTurns(List.of(ChatTurn.newBuilder().setRole(ChatRole.USER).setText("a").build(),
                        ChatTurn.newBuilder().setRole(ChatRole.USER).setText("b").build()))
                .build();
        TrainingSample otherStage = TrainingSample.newBuilder(good).setSampleId("alignment")
                .setStage(TrainingStage.ALIGNMENT).build();
        for (TrainingSample s : List.of(corrupt, twoQuestions, otherStage)) {
            send(producer, topic, s);
        }
    }

    private static void send(EventProducer producer, String topic, TrainingSample sample) throws Exception {
        producer.sendRaw(topic, sample.getSampleId().getBytes(StandardCharsets.UTF_8), SAMPLES.encode(sample)).get();
    }

    /** Committed events read until {@code done} holds for those read by this call. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> await(EventReader<T> reader,
            Predicate<List<T>> done, String what) throws Exception {
        List<T> seen = new ArrayList<>();
        long end = System.nanoTime() + WAIT.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > end) {
                throw new TimeoutException("no " + what + " within " + WAIT + "; saw " + seen);
            }
            reader.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.event()));
        }
        return seen;
    }

    /** Per-test topic names, single-partition so the trained order is the sent order. */
    private record Topics(String samples, String updates, String deadLetters) {
        Topics(String prefix, EmbeddedKafka broker) throws Exception {
            this(prefix + "." + Topic.SAMPLES.defaultName(), prefix + "." + Topic.MODEL_UPDATES.defaultName(),
                    prefix + "." + Topic.DEAD_LETTERS.defaultName());
            broker.createTopics(List.of(samples, updates, deadLetters), 1);
        }
    }

    /** Deserializes as production does, but fails the source task once at a given offset. */
    private static final class FailOnce implements KafkaRecordDeserializationSchema<SourceRecord> {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final SourceRecordDeserializer delegate = new SourceRecordDeserializer();
        private final long offset;

        FailOnce(long offset) {
            this.offset = offset;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out)
                throws java.io.IOException {
            if (record.offset() == offset && FAILED.compareAndSet(false, true)) {
                throw new java.io.IOException("injected failure at offset " + offset);
            }
            delegate.deserialize(record, out);
        }

        @Override
        public org.apache.flink.api.common.typeinfo.TypeInformation<SourceRecord> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
