package dev.hovle.schemas.wire;

import dev.hovle.schemas.Topic;

/**
 * Prints, for every topic, the schema fingerprint and the header bytes a producer outside Java must put before the
 * Avro binary datum, e.g. to build a message with {@code printf} and {@code kcat}.
 */
public final class WireHeaders {

    private WireHeaders() {
    }

    /** Prints {@link #table()} to standard output. */
    public static void main(String[] args) {
        System.out.print(table());
    }

    /** One line per topic: default topic name, record type, fingerprint (wire order) and header as printf escapes. */
    public static String table() {
        StringBuilder table = new StringBuilder(String.format("%-20s %-15s %-17s %s%n",
                "topic", "record", "fingerprint", "header (printf)"));
        for (Topic topic : Topic.values()) {
            SchemaFingerprint fingerprint = SchemaFingerprint.of(topic.schema());
            table.append(String.format("%-20s %-15s %-17s %s%n", topic.defaultName(),
                    topic.recordType().getSimpleName(), fingerprint.toHex(), fingerprint.headerAsPrintf()));
        }
        return table.toString();
    }
}
