package dev.hovle.sql.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.SyntheticImages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The README's SQL example (samples/caption-images.sql) on the in-process broker and a MiniCluster. */
class CaptionScriptITCase {
    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("samples/caption-images.sql");
    private static final String CAPTIONS = "hovle.captions";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path temp;

    @Test
    void captionsTheImagesTopicIntoACaptionsTopicWithThreeStatements() throws Exception {
        Path modelDir = temp.resolve("tiny");
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 3);
        Path allowed = Files.createDirectories(temp.resolve("images"));
        SyntheticImages images = new SyntheticImages(21);
        Path onDisk = Files.write(allowed.resolve("by-uri.png"), images.next(64, 64).data());
        Path outside = Files.write(temp.resolve("outside.png"), images.next(64, 64).data());

        try (EmbeddedKafka kafka = EmbeddedKafka.start(temp.resolve("kafka"))) {
            kafka.createTopics(List.of(Topic.IMAGES.defaultName(), CAPTIONS), 1);
            produce(kafka.bootstrapServers(), List.of(
                    image("inline").setData(ByteBuffer.wrap(images.next(80, 48).data())).build(),
                    image("by-uri").setUri(onDisk.toUri().toString()).build(),
                    image("outside").setUri(outside.toUri().toString()).build(),
                    image("corrupt").setData(ByteBuffer.wrap(images.corruptPng(64, 64))).build()));

            SqlScript script = SqlScript.parse(Files.readString(SCRIPT), Map.of("bootstrap-servers",
                    kafka.bootstrapServers(), "model-dir", modelDir.toString(), "image-uri-prefixes",
                    allowed.toUri().toString()));
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            List<TableResult> jobs = script.run(SqlScript.environment(new Configuration()), new PrintStream(printed,
                    true, StandardCharsets.UTF_8));
            try {
                assertThat(script.statements()).hasSize(3);
                assertThat(jobs).hasSize(1);
                Map<String, String> captions = readCaptions(kafka.bootstrapServers(), 4);

                assertThat(captions.get("inline")).contains("\"answer\":\"").contains("\"error\":null");
                assertThat(captions.get("by-uri")).contains("\"answer\":\"").contains("\"error\":null");
                assertThat(captions.get("outside")).contains("\"answer\":null")
                        .contains("\"error_type\":\"IMAGE_URI_REFUSED\"");
                assertThat(captions.get("corrupt")).contains("\"error_type\":\"CORRUPT_IMAGE\"");
            } finally {
                jobs.get(0).getJobClient().orElseThrow().cancel().get();
            }
        }
    }

    private static ImageEvent.Builder image(String id) {
        return ImageEvent.newBuilder().setImageId(id).setSource("test").setEventTime(Instant.now())
                .setMediaType("image/png");
    }

    private static void produce(String bootstrap, List<ImageEvent> events) {
        EventCodec<ImageEvent> codec = EventCodec.of(ImageEvent.class);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ImageEvent e : events) {
                producer.send(new ProducerRecord<>(Topic.IMAGES.defaultName(),
                        e.getImageId().getBytes(StandardCharsets.UTF_8), codec.encode(e)));
            }
        }
    }

    /** The JSON caption records by image id, once {@code count} arrived (bounded: a stuck job fails the test). */
    private static Map<String, String> readCaptions(String bootstrap, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "caption-script-test");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> byId = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(CAPTIONS));
            while (byId.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    String id = r.value().replaceAll("(?s).*\"image_id\":\"([^\"]*)\".*", "$1");
                    byId.put(id, r.value());
                }
            }
        }
        assertThat(byId).as("caption records").hasSize(count);
        return byId;
    }
}
