package dev.hovle.schemas.wire;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The CRC-64-AVRO fingerprint of a schema's parsing canonical form, which names the writer schema in every
 * single-object encoded message.
 *
 * <p>A message is {@code C3 01}, then the fingerprint as 8 little-endian bytes, then the Avro binary datum. The
 * canonical form keeps names, types, field order and enum symbols but drops docs, defaults and aliases, so editing
 * a doc or a default keeps the fingerprint, while adding a field or an enum symbol makes a new one.
 *
 * <p>Hex strings are always in wire order (the bytes as a hex dump of the message shows them), never the
 * big-endian rendering of {@link #value()}.
 *
 * @param value the fingerprint as Avro's {@link SchemaNormalization#parsingFingerprint64(Schema)} returns it
 */
public record SchemaFingerprint(long value) implements Serializable {

    /** Length of the single-object header: the 2-byte marker and the 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final HexFormat HEX = HexFormat.of();

    /** Fingerprints {@code schema}. */
    public static SchemaFingerprint of(Schema schema) {
        return new SchemaFingerprint(SchemaNormalization.parsingFingerprint64(schema));
    }

    /**
     * Reads the fingerprint from a message's header without decoding the datum, e.g. to pick a codec for a topic
     * that mixes types; empty when {@code message} is too short or lacks the single-object marker.
     */
    public static Optional<SchemaFingerprint> ofMessage(byte[] message) {
        if (!hasMarker(message)) {
            return Optional.empty();
        }
        return Optional.of(new SchemaFingerprint(
                ByteBuffer.wrap(message, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()));
    }

    /** Parses 16 hex digits in wire order, the inverse of {@link #toHex()}. */
    public static SchemaFingerprint parseHex(String wireOrderHex) {
        byte[] bytes = HEX.parseHex(wireOrderHex);
        if (bytes.length != 8) {
            throw new IllegalArgumentException(
                    "a fingerprint is 16 hex digits (8 bytes), got " + wireOrderHex.length() + " characters");
        }
        return new SchemaFingerprint(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    /** Whether {@code message} is long enough for a header and starts with the {@code C3 01} marker. */
    static boolean hasMarker(byte[] message) {
        return message != null && message.length >= HEADER_LENGTH && message[0] == MARKER_0 && message[1] == MARKER_1;
    }

    /** The 8 fingerprint bytes in wire order (little-endian). */
    public byte[] toBytes() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    /** The 10 header bytes every message of this schema starts with: {@code C3 01} and {@link #toBytes()}. */
    public byte[] header() {
        return ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .put(MARKER_0).put(MARKER_1).putLong(value).array();
    }

    /** The fingerprint as 16 lowercase hex digits in wire order. */
    public String toHex() {
        return HEX.formatHex(toBytes());
    }

    /** The header as a {@code printf} format string ({@code \xc3\x01\x..}), for producing messages from a shell. */
    public String headerAsPrintf() {
        StringBuilder escaped = new StringBuilder(4 * HEADER_LENGTH);
        for (byte b : header()) {
            escaped.append("\\x").append(HEX.toHexDigits(b));
        }
        return escaped.toString();
    }

    /** Same as {@link #toHex()}. */
    @Override
    public String toString() {
        return toHex();
    }
}
