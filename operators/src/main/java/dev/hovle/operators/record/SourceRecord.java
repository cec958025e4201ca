package dev.hovle.operators.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record as the job read it: where it came from, and its key and value bytes untouched, so any failure
 * downstream can name its provenance and hand the original bytes to the dead-letter topic.
 *
 * @param topic the topic it was read from
 * @param partition its partition
 * @param offset its offset in the partition
 * @param key the raw key, or null
 * @param value the raw value (the single-object encoding of an event), or null for a tombstone
 */
public record SourceRecord(String topic, int partition, long offset, byte[] key, byte[] value) {

    /** The key as text (HoVLE keys are UTF-8 ids), or null. */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The same provenance without the value bytes, for state that keeps the decoded event instead. */
    public SourceRecord withoutValue() {
        return new SourceRecord(topic, partition, offset, key, null);
    }

    /** The same provenance with other value bytes. */
    public SourceRecord withValue(byte[] newValue) {
        return new SourceRecord(topic, partition, offset, key, newValue);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceRecord r && r.topic.equals(topic) && r.partition == partition && r.offset == offset
                && Arrays.equals(r.key, key) && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset) * 31 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
