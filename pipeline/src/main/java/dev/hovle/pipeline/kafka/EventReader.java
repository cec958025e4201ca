package dev.hovle.pipeline.kafka;

import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic's events with {@code isolation.level=read_committed}, so only what the exactly-once job
 * committed is seen (results appear once per checkpoint). Each reader is assigned every partition the topic has
 * when it opens (no consumer group, nothing committed) and starts at the beginning or the end of the topic.
 *
 * @param <T> the topic's record type
 */
public final class EventReader<T extends SpecificRecord> implements AutoCloseable {
    private static final Duration PARTITIONS_TIMEOUT = Duration.ofSeconds(30);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventCodec<T> codec;
    private final List<ConsumerRecord<byte[], byte[]>> early = new ArrayList<>();

    /** A record read from the topic: where it sat, and the event or why it did not decode. */
    public record Received<T>(int partition, long offset, long timestamp, T event, String error) {}

    private EventReader(KafkaConsumer<byte[], byte[]> consumer, EventCodec<T> codec) {
        this.consumer = consumer;
        this.codec = codec;
    }

    /** A read_committed reader of {@code topic}, from its beginning or only what arrives from now on. */
    public static <T extends SpecificRecord> EventReader<T> open(String bootstrapServers, String topic, Class<T> type,
            boolean fromBeginning) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        // Assigned, not subscribed: a reader in a consumer group of its own would rejoin it after a broker restart
        // and, having committed nothing, start again from the reset position, reading everything a second time.
        List<TopicPartition> partitions = consumer.partitionsFor(topic, PARTITIONS_TIMEOUT).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        return new EventReader<>(consumer, EventCodec.of(type));
    }

    /** What arrives within {@code timeout} (possibly nothing). */
    public List<Received<T>> poll(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(early);
        early.clear();
        consumer.poll(records.isEmpty() ? timeout : Duration.ZERO).forEach(records::add);
        List<Received<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                out.add(new Received<>(r.partition(), r.offset(), r.timestamp(), codec.decode(r.value()), null));
            } catch (EventDecodingException e) {
                out.add(new Received<>(r.partition(), r.offset(), r.timestamp(), null, e.getMessage()));
            }
        }
        return out;
    }

    /**
     * Everything up to the topic's current end: for a read_committed reader, the last stable offset of each
     * partition, so every transaction committed by now is included and nothing still open is waited for.
     */
    public List<Received<T>> readToEnd(Duration timeout) {
        awaitAssignment(timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        List<Received<T>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("did not reach the end " + end + " within " + timeout);
            }
            out.addAll(poll(Duration.ofMillis(200)));
        }
        out.addAll(poll(Duration.ZERO));
        return out;
    }

    /** Polls until the reader has its partitions assigned, so a "from now on" reader misses nothing sent next. */
    public void awaitAssignment(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < end) {
            consumer.poll(Duration.ofMillis(100)).forEach(early::add);
        }
        if (consumer.assignment().isEmpty()) {
            throw new IllegalStateException("no partitions assigned within " + timeout);
        }
        // Resolve the starting positions now: a lazily resolved "latest" could skip what is sent next.
        consumer.assignment().forEach(consumer::position);
    }

    /** Wakes a blocked {@link #poll} from another thread (Ctrl-C). */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
