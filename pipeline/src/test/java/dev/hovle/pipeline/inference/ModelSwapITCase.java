package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.serving.EngineFactory;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.SyntheticImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap in the running inference job: one job on two slots (two update followers sharing one engine) follows the
 * updates topic through a promotion, a rejection, a rollback and a corrupted checkpoint, in that order; then a new
 * job learns the serving version from the topic. Versions are tiny random models whose different seeds give
 * different greedy captions of the same image.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelSwapITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_NEW_TOKENS = 6;
    private static final String REQUESTS = Topic.REQUESTS.defaultName();
    private static final String UPDATES = Topic.MODEL_UPDATES.defaultName();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path temp;

    private static JobUnderTest testbed;
    private static ModelStore store;
    private static Path secondModel;
    private static byte[] image;
    private static String captionByV1;
    private static String captionByV2;

    @BeforeAll
    static void start() throws Exception {
        Path firstModel = temp.resolve("v1");
        secondModel = temp.resolve("v2-checkpoint");
        SnapshotInitializer.create(firstModel, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 3);
        SnapshotInitializer.create(secondModel, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 11);
        store = ModelStore.at(temp.resolve("store").toString());
        image = new SyntheticImages(7).next(48, 48).data();
        captionByV1 = caption(firstModel, image);
        captionByV2 = caption(secondModel, image);
        assertThat(captionByV2).as("the two versions must tell apart by their output").isNotEqualTo(captionByV1);

        Configuration options = new Configuration();
        options.set(InferenceOptions.MODEL_DIR, firstModel.toString());
        options.set(InferenceOptions.MODEL_VERSION, "v1");
        options.set(InferenceOptions.MODEL_CACHE_DIR, temp.resolve("cache").toString());
        options.set(InferenceOptions.STORE_URI, store.uri()); // versions may be fetched from the store only
        options.set(InferenceOptions.MAX_NEW_TOKENS, MAX_NEW_TOKENS);
        testbed = JobUnderTest.start(options, spec -> spec);
    }

    @AfterAll
    static void stop() throws Exception {
        testbed.close();
    }

    @Test
    @Order(1)
    void servesAPromotedVersionFromTheNextRequestsLosingNone() throws Exception {
        List<VlmResult> before = streamUntilServedBy("v1", "before");
        ModelStore.Published v2 = store.publish(secondModel, "v2");
        testbed.producer().send(UPDATES, update("v2", "v1", ModelStatus.CANDIDATE, v2)).get();
        testbed.producer().send(UPDATES, update("v2", "v1", ModelStatus.PROMOTED, v2)).get();

        List<VlmResult> across = streamUntilServedBy("v2", "across");

        assertThat(before).allSatisfy(r -> assertThat(r.getText()).isEqualTo(captionByV1));
        assertThat(across).allSatisfy(r -> assertThat(r.getText()).isEqualTo(r.getModelVersion().equals("v1")
                ? captionByV1 : captionByV2));
        assertThat(across.get(across.size() - 1).getModelVersion()).isEqualTo("v2");
        assertThat(across).extracting(VlmResult::getModelVersion).isSubsetOf("v1", "v2");
        assertThat(testbed.outputs().deadLetters()).isEmpty();
    }

    @Test
    @Order(2)
    void neverServesARejectedVersion() throws Exception {
        ModelStore.Published v3 = store.publish(secondModel, "v3");
        testbed.producer().send(UPDATES, update("v3", "v2", ModelStatus.CANDIDATE, v3));
        testbed.producer().send(UPDATES, update("v3", "v2", ModelStatus.REJECTED, v3));
        // A promotion after the rejection (a gate gone wrong) must not bring it back.
        testbed.producer().send(UPDATES, update("v3", "v2", ModelStatus.PROMOTED, v3)).get();

        DeadLetter refused = testbed.outputs().awaitDeadLetter(l -> l.getErrorType() == ErrorType.MODEL_UPDATE_REFUSED
                && l.getMessage().contains("v3"), "refusing to promote the rejected v3", TIMEOUT);
        List<VlmResult> after = streamUntilServedBy("v2", "after-rejection");

        assertThat(refused.getMessage()).contains("was rejected earlier");
        assertThat(refused.getStage()).isEqualTo(PipelineStage.MODEL_UPDATE);
        assertThat(after).extracting(VlmResult::getModelVersion).containsOnly("v2");
        assertThat(testbed.outputs().results()).noneMatch(r -> r.getModelVersion().equals("v3"));
    }

    @Test
    @Order(3)
    void rollbackReturnsServingToTheParent() throws Exception {
        // The verdict alone, as an operator may send it: the job knows v2's parent from its earlier updates.
        testbed.producer().send(UPDATES, ModelUpdate.newBuilder(update("v2", null, ModelStatus.ROLLED_BACK, null))
                .setReason("answers got worse").build()).get();

        List<VlmResult> after = streamUntilServedBy("v1", "after-rollback");

        VlmResult last = after.get(after.size() - 1);
        assertThat(last.getModelVersion()).isEqualTo("v1");
        assertThat(last.getText()).isEqualTo(captionByV1);
    }

    @Test
    @Order(4)
    void refusesACorruptedCheckpointAndKeepsServingTheOldVersion() throws Exception {
        ModelStore.Published v4 = store.publish(secondModel, "v4");
        Path weights = temp.resolve("store/v4/model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 5] ^= 0x40; // one bit of one weight
        Files.write(weights, bytes);
        byte[] payload = EventCodec.of(ModelUpdate.class).encode(update("v4", "v1", ModelStatus.PROMOTED, v4));
        byte[] key = "hovle".getBytes(StandardCharsets.UTF_8);
        RecordMetadata sent = testbed.producer().sendRaw(UPDATES, key, payload).get();

        DeadLetter refused = testbed.outputs().awaitDeadLetter(l -> l.getErrorType() == ErrorType.MODEL_UPDATE_REFUSED
                && l.getMessage().contains("v4"), "refusing the corrupted v4", TIMEOUT);
        List<VlmResult> after = streamUntilServedBy("v1", "after-corruption");

        assertThat(refused.getMessage()).contains("checksum mismatch for file model.safetensors", "still serving v1");
        assertThat(refused.getStage()).isEqualTo(PipelineStage.MODEL_UPDATE);
        assertThat(refused.getSourceTopic()).isEqualTo(UPDATES);
        assertThat(refused.getSourcePartition()).isEqualTo(sent.partition());
        assertThat(refused.getSourceOffset()).isEqualTo(sent.offset());
        assertThat(refused.getKey()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(refused.getPayload()).isEqualTo(ByteBuffer.wrap(payload));
        assertThat(refused.getModelVersion()).isEqualTo("v1");
        assertThat(after).allSatisfy(r -> assertThat(r.getText()).isEqualTo(captionByV1))
                .extracting(VlmResult::getModelVersion).containsOnly("v1");
        assertThat(testbed.job().status()).isEqualTo("RUNNING");
    }

    @Test
    @Order(5)
    void refusesACheckpointOutsideTheStoreWithoutOpeningIt() throws Exception {
        ModelStore.Published v5 = ModelStore.at(temp.resolve("elsewhere").toString()).publish(secondModel, "v5");
        byte[] payload = EventCodec.of(ModelUpdate.class).encode(update("v5", "v1", ModelStatus.PROMOTED, v5));
        testbed.producer().sendRaw(UPDATES, "hovle".getBytes(StandardCharsets.UTF_8), payload).get();

        DeadLetter refused = testbed.outputs().awaitDeadLetter(l -> l.getErrorType() == ErrorType.MODEL_UPDATE_REFUSED
                && l.getMessage().contains("v5"), "refusing v5 from outside the store", TIMEOUT);
        List<VlmResult> after = streamUntilServedBy("v1", "after-elsewhere");

        assertThat(refused.getMessage()).contains("checkpoint URI " + v5.uri() + " is outside the allowed prefixes",
                "hovle.model-updates.uri-prefixes", "still serving v1");
        try (Stream<Path> cached = Files.list(temp.resolve("cache"))) {
            assertThat(cached).noneMatch(p -> p.getFileName().toString().startsWith("v5-"));
        }
        assertThat(after).extracting(VlmResult::getModelVersion).containsOnly("v1");
        assertThat(testbed.job().status()).isEqualTo("RUNNING");
    }

    @Test
    @Order(6)
    void aNewJobLearnsTheServingVersionFromTheTopic() throws Exception {
        ModelStore.Published v2 = store.publish(secondModel, "v2");
        // Promoted again after its rollback: only a rejection is final.
        testbed.producer().send(UPDATES, update("v2", "v1", ModelStatus.PROMOTED, v2)).get();
        streamUntilServedBy("v2", "repromoted");
        testbed.resubmit();
        List<VlmResult> fresh = streamUntilServedBy("v2", "new-job");

        assertThat(fresh.get(fresh.size() - 1).getText()).isEqualTo(captionByV2);
    }

    /**
     * Sends a caption request of the same image every 100 ms until one is answered by {@code version}, then waits for
     * the answer to every request sent: none may be lost. Returns them in the order they were sent.
     */
    private static List<VlmResult> streamUntilServedBy(String version, String prefix) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try {
            sender.scheduleAtFixedRate(() -> testbed.producer().send(REQUESTS,
                    caption(prefix + "-" + sent.getAndIncrement())), 0, 100, TimeUnit.MILLISECONDS);
            testbed.outputs().awaitResults(rs -> rs.stream().anyMatch(r -> r.getRequestId().startsWith(prefix + "-")
                    && r.getModelVersion().equals(version)), prefix + " requests answered by " + version, TIMEOUT);
        } finally {
            sender.shutdown();
            assertThat(sender.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        testbed.producer().flush();
        int count = sent.get();
        List<VlmResult> answered = testbed.outputs().awaitResults(rs -> ofPrefix(rs, prefix).size() >= count,
                "answers to all " + count + " " + prefix + " requests", TIMEOUT);
        List<VlmResult> results = ofPrefix(answered, prefix);
        assertThat(results).extracting(VlmResult::getRequestId).doesNotHaveDuplicates().hasSize(count);
        return results;
    }

    private static List<VlmResult> ofPrefix(List<VlmResult> results, String prefix) {
        return results.stream().filter(r -> r.getRequestId().startsWith(prefix + "-"))
                .sorted(Comparator.comparingInt(r -> Integer.parseInt(r.getRequestId().substring(prefix.length() + 1))))
                .toList();
    }

    private static VlmRequest caption(String id) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(Instant.now())
                .setImages(List.of(InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(image))
                        .build())).build();
    }

    /** An update of the job's model line; {@code checkpoint} null for a verdict that names no checkpoint. */
    private static ModelUpdate update(String version, String parent, ModelStatus status,
            ModelStore.Published checkpoint) {
        return ModelUpdate.newBuilder().setModelName("hovle").setVersion(version).setParentVersion(parent)
                .setStage(TrainingStage.INSTRUCTION).setStep(100).setSamplesSeen(800)
                .setUri(checkpoint == null ? "" : checkpoint.uri())
                .setChecksums(checkpoint == null ? Map.of() : checkpoint.checksums())
                .setMetrics(Map.of("eval_loss", 1.0)).setStatus(status).setTime(Instant.now()).build();
    }

    /** The greedy caption {@code modelDir} gives {@code png} outside Flink, prepared as the job prepares it. */
    private static String caption(Path modelDir, byte[] png) throws Exception {
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(modelDir); HoVLEModel model = HoVLEModel.load(modelDir);
                GenerationEngine engine = EngineFactory.sequential().create(model, "reference")) {
            PromptPreparer preparer = PromptPreparer.builder().setConfig(HoVLEConfig.read(modelDir))
                    .setTokenizer(tokenizer).build();
            var request = preparer.prepare(List.of(png), PromptPreparer.CAPTION_QUESTION, List.of())
                    .toRequest("reference", preparer.greedy(MAX_NEW_TOKENS));
            return tokenizer.decode(engine.submit(request).result().join().tokens()).strip();
        }
    }
}
