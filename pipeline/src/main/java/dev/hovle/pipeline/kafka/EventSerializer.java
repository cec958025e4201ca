package dev.hovle.pipeline.kafka;

import dev.hovle.schemas.wire.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes events to one topic in single-object encoding, keyed by a UTF-8 id (the request id for results, the failed
 * record's key for dead letters). Names its topic to the sink (the pooled transactional ids are tracked per topic).
 *
 * @param <T> the Avro record type
 */
public final class EventSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final EventCodec<T> codec;
    private final SerializableFunction<T, byte[]> key;

    private EventSerializer(String topic, EventCodec<T> codec, SerializableFunction<T, byte[]> key) {
        this.topic = topic;
        this.codec = codec;
        this.key = key;
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    /** A serializer whose key is the UTF-8 bytes of {@code id}'s value (null: no key). */
    public static <T extends SpecificRecord> EventSerializer<T> keyedByText(String topic, Class<T> type,
            SerializableFunction<T, String> id) {
        return new EventSerializer<>(topic, EventCodec.of(type), event -> {
            String text = id.apply(event);
            return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        });
    }

    /** A serializer whose key is taken as bytes. */
    public static <T extends SpecificRecord> EventSerializer<T> keyedByBytes(String topic, Class<T> type,
            SerializableFunction<T, byte[]> key) {
        return new EventSerializer<>(topic, EventCodec.of(type), key);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T event, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, key.apply(event), codec.encode(event));
    }
}
