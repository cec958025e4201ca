package dev.hovle.pipeline.kafka;

import dev.hovle.operators.record.SourceRecord;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/** How every HoVLE job reads and writes Kafka: raw records with their provenance in, transactions out. */
public final class KafkaEnds {
    private KafkaEnds() {}

    /** Raw records of {@code topic}, read_committed. */
    public static KafkaSource<SourceRecord> source(String bootstrapServers, String topic, String groupId, String name,
            OffsetsInitializer start) {
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setClientIdPrefix(groupId + "-" + name)
                .setStartingOffsets(start)
                .setDeserializer(new SourceRecordDeserializer())
                // Producers may be transactional too: never read what they aborted.
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /**
     * An exactly-once sink whose transactions outlive no broker's limit, and which reuses a small pool of
     * transactional ids: the default names a new id at every checkpoint, which the broker remembers for
     * {@code transactional.id.expiration.ms} (7 days), so its memory grew with every checkpoint of every sink.
     */
    public static <T> KafkaSink<T> exactlyOnceSink(String bootstrapServers, KafkaRecordSerializationSchema<T> serializer,
            String transactionalIdPrefix, Duration transactionTimeout) {
        // Flink's default (1 h) exceeds what brokers accept by default (transaction.max.timeout.ms, 15 min).
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()))
                .build();
    }
}
