package dev.hovle.pipeline.kafka;

import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.wire.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends images, requests and model updates to Kafka in single-object encoding, keyed by their ids (a model update by
 * its model name): what any HoVLE client does.
 */
public final class EventProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final EventCodec<ImageEvent> images = EventCodec.of(ImageEvent.class);
    private final EventCodec<VlmRequest> requests = EventCodec.of(VlmRequest.class);
    private final EventCodec<ModelUpdate> updates = EventCodec.of(ModelUpdate.class);
    private final EventCodec<TrainingSample> samples = EventCodec.of(TrainingSample.class);

    private EventProducer(KafkaProducer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** A producer for the cluster at {@code bootstrapServers} (idempotent, acks=all). */
    public static EventProducer connect(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20));
        return new EventProducer(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Sends an image keyed by its id. */
    public Future<RecordMetadata> send(String topic, ImageEvent image) {
        return sendRaw(topic, key(image.getImageId()), images.encode(image));
    }

    /** Sends a request keyed by its id. */
    public Future<RecordMetadata> send(String topic, VlmRequest request) {
        return sendRaw(topic, key(request.getRequestId()), requests.encode(request));
    }

    /** Sends a model update keyed by its model name, so the updates of one model stay in order. */
    public Future<RecordMetadata> send(String topic, ModelUpdate update) {
        return sendRaw(topic, key(update.getModelName()), updates.encode(update));
    }

    /** Sends a training sample keyed by its id. */
    public Future<RecordMetadata> send(String topic, TrainingSample sample) {
        return sendRaw(topic, key(sample.getSampleId()), samples.encode(sample));
    }

    /** Sends any bytes (tests send broken records this way). */
    public Future<RecordMetadata> sendRaw(String topic, byte[] key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    /** Waits until everything sent so far is acknowledged. */
    public void flush() {
        producer.flush();
    }

    /** Sends and waits for the acknowledgement. */
    public RecordMetadata sendAndWait(String topic, VlmRequest request) throws ExecutionException, InterruptedException {
        return send(topic, request).get();
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
