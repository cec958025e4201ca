package dev.hovle.schemas.wire;

import dev.hovle.schemas.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one event type in Avro single-object encoding, the wire format of every HoVLE topic.
 *
 * <p>A message is the marker {@code C3 01}, the writer schema's {@link SchemaFingerprint} (8 bytes, little-endian)
 * and the Avro binary datum. Encoding always uses the current schema of the type. Decoding accepts the current
 * schema and every writer schema registered with {@link #withWriterSchema(Schema)}, and resolves each to the
 * current one, so readers keep reading what older writers produced:
 *
 * <pre>{@code
 * EventCodec<VlmResult> codec = EventCodec.of(VlmResult.class).withWriterSchema(previousVlmResultSchema);
 * byte[] value = codec.encode(result);
 * try {
 *     VlmResult back = codec.decode(value);
 * } catch (EventDecodingException e) {
 *     deadLetter(e.errorType(), e.getMessage());  // UNDECODABLE_RECORD or UNKNOWN_SCHEMA
 * }
 * }</pre>
 * (the encode and decode half runs in {@code EventCodecTest#decodesWhatItEncodes}, so it keeps compiling).
 *
 * <p>Instances are immutable and thread-safe, and {@link Serializable} so Flink serialization schemas can hold
 * them; a deserialized codec is rebuilt from the schemas' JSON.
 *
 * @param <T> the Avro-generated record class, or {@link GenericRecord} for a codec made with {@link #generic}
 */
public final class EventCodec<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Fingerprints of the current event types, to tell "wrong topic" apart from "unknown version" in errors. */
    private static final Map<SchemaFingerprint, String> CURRENT_EVENT_TYPES = currentEventTypes();

    private final Class<T> type;
    private final boolean specific;
    private final GenericData model;
    private final Schema schema;
    private final SchemaFingerprint fingerprint;
    /** Every decodable writer schema by fingerprint, the current schema first. */
    private final Map<SchemaFingerprint, Schema> writerSchemas;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private EventCodec(Class<T> type, boolean specific, GenericData model, Schema schema,
            Map<SchemaFingerprint, Schema> writerSchemas) {
        this.type = type;
        this.specific = specific;
        this.model = model;
        this.schema = schema;
        this.fingerprint = SchemaFingerprint.of(schema);
        this.writerSchemas = writerSchemas;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        writerSchemas.values().forEach(decoder::addSchema);
    }

    /** A codec for an Avro-generated record class, reading and writing its current schema. */
    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
        // getForClass returns the class's own model, which carries its logical-type conversions (Instant fields).
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        return new EventCodec<>(type, true, model, schema, Map.of(SchemaFingerprint.of(schema), schema));
    }

    /**
     * A codec that reads and writes {@link GenericRecord}s of {@code schema}, for tools that hold no generated
     * class (or an older schema version than the generated one). Logical types stay in their Avro base type,
     * e.g. {@code timestamp-millis} fields hold {@code Long}s.
     */
    public static EventCodec<GenericRecord> generic(Schema schema) {
        return new EventCodec<>(GenericRecord.class, false, GenericData.get(), schema,
                Map.of(SchemaFingerprint.of(schema), schema));
    }

    /**
     * A codec that also decodes messages written with {@code writerSchema}, typically a previous version of this
     * type's schema, resolving them to the current schema (missing fields take their defaults).
     *
     * @throws IllegalArgumentException when records of {@code writerSchema} cannot be read as the current schema
     */
    public EventCodec<T> withWriterSchema(Schema writerSchema) {
        SchemaFingerprint added = SchemaFingerprint.of(writerSchema);
        if (writerSchemas.containsKey(added)) {
            return this;
        }
        // Checking here turns an incompatible registration into a start-up error instead of a dead letter per record.
        SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException("records written with schema " + added + " cannot be read as "
                    + schema.getFullName() + ": " + compatibility.getResult().getIncompatibilities());
        }
        Map<SchemaFingerprint, Schema> more = new LinkedHashMap<>(writerSchemas);
        more.put(added, writerSchema);
        return new EventCodec<>(type, specific, model, schema, Collections.unmodifiableMap(more));
    }

    /** The record class this codec produces. */
    public Class<T> type() {
        return type;
    }

    /** The schema this codec writes, and reads into. */
    public Schema schema() {
        return schema;
    }

    /** The fingerprint of {@link #schema()}, found in every message this codec encodes. */
    public SchemaFingerprint fingerprint() {
        return fingerprint;
    }

    /** Fingerprints of every writer schema this codec decodes: the current one and those registered. */
    public Set<SchemaFingerprint> knownFingerprints() {
        return writerSchemas.keySet();
    }

    /** Encodes {@code event} as a single-object message: header, then the Avro binary datum. */
    public byte[] encode(T event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encoder.encode(event, out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a single-object message into the current schema.
     *
     * @param message a Kafka value; {@code null} (a tombstone) is undecodable
     * @throws UndecodableRecordException when the bytes are not one complete datum behind a valid header
     * @throws UnknownSchemaException when the header names a writer schema this codec does not know
     */
    public T decode(byte[] message) throws EventDecodingException {
        if (!SchemaFingerprint.hasMarker(message)) {
            throw new UndecodableRecordException(describeBadHeader(message), null);
        }
        SchemaFingerprint written = SchemaFingerprint.ofMessage(message).orElseThrow();
        Schema writerSchema = writerSchemas.get(written);
        if (writerSchema == null) {
            throw new UnknownSchemaException(written, describeUnknown(written));
        }
        checkDatumFits(message, writerSchema, written);
        try {
            return decoder.decode(message);
        } catch (IOException | RuntimeException e) {
            // Bytes that survive the bounds check can still be malformed: bad union or enum index, negative length.
            throw new UndecodableRecordException("datum of schema " + written + " does not decode as "
                    + schema.getFullName() + ": " + e, e);
        }
    }

    /**
     * Walks the datum with the writer schema without materialising it, so a corrupt length prefix fails here on
     * the bytes at hand rather than making Avro allocate up to 2 GB for it, and so trailing bytes are caught.
     */
    private static void checkDatumFits(byte[] message, Schema writerSchema, SchemaFingerprint written)
            throws UndecodableRecordException {
        int datumLength = message.length - SchemaFingerprint.HEADER_LENGTH;
        BinaryDecoder in = DecoderFactory.get()
                .binaryDecoder(message, SchemaFingerprint.HEADER_LENGTH, datumLength, null);
        boolean atEnd;
        try {
            GenericDatumReader.skip(writerSchema, in);
            atEnd = in.isEnd();
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException("datum of " + datumLength + " bytes is truncated or corrupt for "
                    + writerSchema.getFullName() + " schema " + written + ": " + e, e);
        }
        if (!atEnd) {
            throw new UndecodableRecordException("bytes left over after the " + writerSchema.getFullName()
                    + " datum of schema " + written + ": not a single datum", null);
        }
    }

    private static String describeBadHeader(byte[] message) {
        if (message == null) {
            return "no value (null or a tombstone)";
        }
        if (message.length < SchemaFingerprint.HEADER_LENGTH) {
            return "only " + message.length + " bytes, shorter than the 10-byte single-object header";
        }
        return String.format("not single-object encoded: starts with 0x%02X 0x%02X instead of 0xC3 0x01",
                message[0], message[1]);
    }

    private String describeUnknown(SchemaFingerprint written) {
        String known = writerSchemas.keySet().stream().map(SchemaFingerprint::toHex)
                .collect(Collectors.joining(", "));
        String other = CURRENT_EVENT_TYPES.get(written);
        String hint = other == null ? "" : "; it is the current schema of " + other + " (wrong topic?)";
        return " for " + schema.getFullName() + " (known: " + known + ")" + hint;
    }

    private static Map<SchemaFingerprint, String> currentEventTypes() {
        Map<SchemaFingerprint, String> types = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            types.put(SchemaFingerprint.of(topic.schema()), topic.schema().getFullName());
        }
        return Map.copyOf(types);
    }

    private Object writeReplace() {
        List<String> writerJson = writerSchemas.values().stream().map(Schema::toString).toList();
        return new SerializedForm(specific ? type : null, schema.toString(), writerJson);
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("EventCodec is serialized through its SerializedForm");
    }

    /** What a codec is rebuilt from: the record class (null for generic codecs) and every schema as JSON. */
    private record SerializedForm(Class<?> specificType, String schema, List<String> writerSchemas)
            implements Serializable {

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object readResolve() {
            EventCodec codec = specificType == null
                    ? generic(new Schema.Parser().parse(schema))
                    : of((Class<? extends SpecificRecord>) specificType);
            for (String writer : writerSchemas) {
                // Each JSON string inlines its named types, so each needs a parser of its own.
                codec = codec.withWriterSchema(new Schema.Parser().parse(writer));
            }
            return codec;
        }
    }
}
