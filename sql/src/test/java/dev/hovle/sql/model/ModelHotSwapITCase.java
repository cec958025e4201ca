package dev.hovle.sql.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.operators.serving.SharedEngine;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.LocalMetrics;
import dev.hovle.testkit.SyntheticImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap in a running {@code ML_PREDICT} query: one streaming query on two subtasks (one engine, one follower)
 * captions images from Kafka while {@code hovle.model-updates} promotes a version, then names checkpoints that must be
 * refused. Versions are tiny random models whose seeds give different greedy captions of the same image, so each row
 * shows which weights produced it. The tests run in order against the same query.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a guard against a stuck query, not an assertion on speed
class ModelHotSwapITCase {
    private static final int MAX_NEW_TOKENS = 6;
    /** Rows a swap may take before the test gives up: a count, not a time. */
    private static final int MAX_ROWS_FOR_A_SWAP = 400;
    private static final String IMAGES = Topic.IMAGES.defaultName();
    private static final String UPDATES = Topic.MODEL_UPDATES.defaultName();
    private static final String FOLLOWER_THREAD = "hovle-model-updates-";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LocalMetrics.configure(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path temp;

    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;
    private static ModelStore store;
    private static Path firstModel;
    private static Path secondModel;
    private static byte[] image;
    private static String captionByV1;
    private static String captionByV2;
    private static CloseableIterator<Row> query;
    private static int sent;

    @BeforeAll
    static void start() throws Exception {
        firstModel = temp.resolve("v1");
        secondModel = temp.resolve("v2-checkpoint");
        SnapshotInitializer.create(firstModel, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 3);
        SnapshotInitializer.create(secondModel, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 11);
        store = ModelStore.at(temp.resolve("store").toString());
        image = new SyntheticImages(7).next(48, 48).data();
        captionByV1 = GreedyReference.answer(firstModel, image, PromptPreparer.CAPTION_QUESTION, MAX_NEW_TOKENS);
        captionByV2 = GreedyReference.answer(secondModel, image, PromptPreparer.CAPTION_QUESTION, MAX_NEW_TOKENS);
        assertThat(captionByV2).as("the two versions must tell apart by their output").isNotEqualTo(captionByV1);

        kafka = EmbeddedKafka.start(temp.resolve("kafka"));
        kafka.createTopics(List.of(IMAGES, UPDATES), 1);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (query != null) {
            query.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Order(1)
    void servesAPromotedVersionFromTheNextRowsOn() throws Exception {
        TableEnvironment tables = tables();
        tables.executeSql("CREATE TABLE images (image_id STRING, data BYTES) WITH ('connector' = 'kafka', "
                + "'topic' = '" + IMAGES + "', 'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "', "
                + "'properties.group.id' = 'hot-swap-test', 'scan.startup.mode' = 'earliest-offset', "
                + "'format' = 'hovle-avro', 'hovle-avro.event' = 'ImageEvent')");
        tables.executeSql("CREATE TEMPORARY MODEL captioner INPUT (image BYTES) "
                + "OUTPUT (answer STRING, model_version STRING, error STRING) WITH ('provider' = 'hovle', "
                + "'model.dir' = '" + firstModel + "', 'model.version' = 'v1', "
                + "'max-new-tokens' = '" + MAX_NEW_TOKENS + "', "
                + "'model-updates.bootstrap-servers' = '" + kafka.bootstrapServers() + "', "
                + "'model-updates.uri-prefixes' = '" + store.uri() + "', "
                + "'model-updates.cache-dir' = '" + temp.resolve("cache") + "')");
        query = tables.executeSql("SELECT image_id, answer, model_version, error FROM ML_PREDICT(TABLE images, "
                + "MODEL captioner, DESCRIPTOR(data))").collect();

        Row first = caption();
        ModelStore.Published v2 = store.publish(secondModel, "v2");
        publish(update("v2", "v1", ModelStatus.CANDIDATE, v2));
        publish(update("v2", "v1", ModelStatus.PROMOTED, v2));
        List<Row> across = captionUntilServedBy("v2");
        List<Row> after = List.of(caption(), caption(), caption());

        assertThat(first.getField("model_version")).isEqualTo("v1");
        assertThat(first.getField("answer")).isEqualTo(captionByV1);
        assertThat(across).allSatisfy(r -> assertThat(r.getField("answer"))
                .isEqualTo("v1".equals(r.getField("model_version")) ? captionByV1 : captionByV2));
        assertThat(across).extracting(r -> r.getField("model_version")).isSubsetOf("v1", "v2");
        assertThat(after).allSatisfy(r -> {
            assertThat(r.getField("model_version")).isEqualTo("v2");
            assertThat(r.getField("answer")).isEqualTo(captionByV2);
        });
        assertThat(followerThreads()).as("one follower for the engine both subtasks share").isEqualTo(1);
    }

    @Test
    @Order(2)
    void refusesCheckpointsOutsideThePrefixesOrCorruptedAndKeepsServing() throws Exception {
        ModelStore.Published v3 = ModelStore.at(temp.resolve("elsewhere").toString()).publish(secondModel, "v3");
        ModelStore.Published v4 = store.publish(firstModel, "v4");
        Path weights = temp.resolve("store/v4/model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 5] ^= 0x40; // one bit of one weight
        Files.write(weights, bytes);
        double refusedBefore = refusedUpdates();

        publish(update("v3", "v2", ModelStatus.PROMOTED, v3));
        awaitRefusedUpdates(refusedBefore + 1);
        publish(update("v4", "v2", ModelStatus.PROMOTED, v4));
        awaitRefusedUpdates(refusedBefore + 2);
        List<Row> after = List.of(caption(), caption(), caption());

        assertThat(after).allSatisfy(r -> {
            assertThat(r.getField("model_version")).isEqualTo("v2");
            assertThat(r.getField("answer")).isEqualTo(captionByV2);
        });
        assertThat(LocalMetrics.endingWith("hovle.model.chosenVersion")).isNotEmpty()
                .allSatisfy(m -> assertThat(m.text()).isEqualTo("v4"));
        assertThat(LocalMetrics.endingWith("hovle.engine.modelVersion")).isNotEmpty()
                .allSatisfy(m -> assertThat(m.text()).isEqualTo("v2"));
    }

    @Test
    @Order(3)
    void stopsFollowingWhenTheQueryEnds() throws Exception {
        query.close();
        query = null;

        // The job's tasks close after the cancellation returns; wait for them (bounded by the class's timeout).
        while (followerThreads() > 0 || SharedEngine.leases(engine()) > 0) {
            Thread.sleep(100);
        }
        assertThat(ModelUpdateFollowers.running(engine())).isZero();
    }

    @Test
    void refusesModelUpdatesOptionsWithoutBootstrapServersAtCreateModel() {
        TableEnvironment tables = tables();

        assertThatThrownBy(() -> tables.executeSql("CREATE TEMPORARY MODEL orphan INPUT (image BYTES) "
                + "OUTPUT (answer STRING, error STRING) WITH ('provider' = 'hovle', 'model.dir' = '" + firstModel
                + "', 'model-updates.topic' = 'my-updates')"))
                .hasStackTraceContaining("'model-updates.topic' given without 'model-updates.bootstrap-servers'");
        assertThat(tables.listModels()).doesNotContain("orphan");
    }

    @Test
    void refusesAMalformedCheckpointPrefixAtCreateModel() {
        TableEnvironment tables = tables();

        assertThatThrownBy(() -> tables.executeSql("CREATE TEMPORARY MODEL loose INPUT (image BYTES) "
                + "OUTPUT (answer STRING, error STRING) WITH ('provider' = 'hovle', 'model.dir' = '" + firstModel
                + "', 'model-updates.bootstrap-servers' = 'localhost:9', 'model-updates.uri-prefixes' = 'models/'"
                + ")")).hasStackTraceContaining("model-updates.uri-prefixes entry models/ is not usable");
    }

    private static TableEnvironment tables() {
        Configuration conf = new Configuration();
        conf.set(TableConfigOptions.TABLE_CATALOG_MODIFICATION_LISTENERS,
                List.of(ModelCheckListenerFactory.IDENTIFIER));
        conf.setString("parallelism.default", "2");
        return TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf)
                .build());
    }

    /** Sends the image once more and returns its row: one row in flight at a time, so rows come back in order. */
    private static Row caption() throws Exception {
        String id = "img-" + sent++;
        ImageEvent event = ImageEvent.newBuilder().setImageId(id).setSource("test").setEventTime(Instant.now())
                .setMediaType("image/png").setData(ByteBuffer.wrap(image)).build();
        producer.send(new ProducerRecord<>(IMAGES, id.getBytes(StandardCharsets.UTF_8),
                EventCodec.of(ImageEvent.class).encode(event))).get();
        Row row = query.next();
        assertThat(row.getField("image_id")).isEqualTo(id);
        assertThat(row.getField("error")).isNull();
        return row;
    }

    /** Captions the image until a row is served by {@code version}; returns the rows, that one last. */
    private static List<Row> captionUntilServedBy(String version) throws Exception {
        List<Row> rows = new ArrayList<>();
        while (rows.size() < MAX_ROWS_FOR_A_SWAP) {
            rows.add(caption());
            if (version.equals(rows.get(rows.size() - 1).getField("model_version"))) {
                return rows;
            }
        }
        throw new AssertionError("no row served by " + version + " in " + rows.size() + " rows");
    }

    private static void publish(ModelUpdate update) throws Exception {
        producer.send(new ProducerRecord<>(UPDATES, "hovle".getBytes(StandardCharsets.UTF_8),
                EventCodec.of(ModelUpdate.class).encode(update))).get();
    }

    /** An update of the model line {@code hovle} naming {@code checkpoint}. */
    private static ModelUpdate update(String version, String parent, ModelStatus status,
            ModelStore.Published checkpoint) {
        return ModelUpdate.newBuilder().setModelName("hovle").setVersion(version).setParentVersion(parent)
                .setStage(TrainingStage.INSTRUCTION).setStep(100).setSamplesSeen(800).setUri(checkpoint.uri())
                .setChecksums(checkpoint.checksums()).setMetrics(Map.of("eval_loss", 1.0)).setStatus(status)
                .setTime(Instant.now()).build();
    }

    /** The refused updates the query's subtasks report (each reports its engine's follower: the largest). */
    private static double refusedUpdates() {
        double max = LocalMetrics.max("hovle.model.refusedUpdates", r -> true);
        return Double.isNaN(max) ? 0 : max;
    }

    private static void awaitRefusedUpdates(double count) throws InterruptedException {
        while (refusedUpdates() < count) {
            Thread.sleep(100);
        }
    }

    private static long followerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(FOLLOWER_THREAD)).count();
    }

    /** The spec of the query's engine, as the provider builds it from the model's options. */
    private static EngineSpec engine() {
        Configuration options = new Configuration();
        options.set(HovleModelOptions.MODEL_DIR, firstModel.toString());
        options.set(HovleModelOptions.MODEL_VERSION, "v1");
        return HovleModelOptions.engineSpec(options);
    }
}
