package dev.hovle.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.SampleEvents;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

    private final EventCodec<VlmRequest> requests = EventCodec.of(VlmRequest.class);

    /** The usage example of {@link EventCodec}'s javadoc, kept compiling here. */
    @Test
    void decodesWhatItEncodes() throws EventDecodingException {
        Schema previousVlmResultSchema = SchemaEvolutionTest.vlmResultV1();
        EventCodec<VlmResult> codec = EventCodec.of(VlmResult.class).withWriterSchema(previousVlmResultSchema);
        VlmResult result = SampleEvents.vlmResult();

        byte[] value = codec.encode(result);
        VlmResult back = codec.decode(value);

        assertThat(back).isEqualTo(result);
    }

    static Stream<Arguments> everyTopic() {
        return Arrays.stream(Topic.values())
                .map(topic -> Arguments.of(topic, SampleEvents.all().get(topic.ordinal())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyTopic")
    void roundTripsEveryEventType(Topic topic, Object event) throws EventDecodingException {
        assertThat(event).isInstanceOf(topic.recordType());

        assertThat(roundTrip(topic.recordType(), event)).isEqualTo(event);
    }

    private static <T extends SpecificRecord> T roundTrip(Class<T> type, Object event) throws EventDecodingException {
        EventCodec<T> codec = EventCodec.of(type);
        return codec.decode(codec.encode(type.cast(event)));
    }

    @Test
    void fillsDefaultsForFieldsLeftUnset() throws EventDecodingException {
        VlmRequest minimal = VlmRequest.newBuilder()
                .setRequestId("req-2").setTask(Task.CAPTION).setEventTime(SampleEvents.T0).build();

        VlmRequest back = requests.decode(requests.encode(minimal));

        assertThat(back).isEqualTo(minimal);
        assertThat(back.getImageIds()).isEmpty();
        assertThat(back.getPrompt()).isNull();
        assertThat(back.getGeneration()).isEqualTo(GenerationParams.newBuilder().build());
        assertThat(back.getGeneration().getTemperature()).isNull();
        assertThat(back.getDeadline()).isNull();
    }

    @Test
    void startsEveryMessageWithMarkerAndLittleEndianFingerprint() {
        byte[] message = requests.encode(SampleEvents.vlmRequest());

        ByteBuffer header = ByteBuffer.wrap(message, 0, 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(header.get()).isEqualTo((byte) 0xC3);
        assertThat(header.get()).isEqualTo((byte) 0x01);
        assertThat(header.getLong()).isEqualTo(requests.fingerprint().value());
        assertThat(Arrays.copyOf(message, 10)).isEqualTo(requests.fingerprint().header());
    }

    @Test
    void encodesExactlyAsTheAvroGeneratedEncoder() throws IOException {
        VlmRequest request = SampleEvents.vlmRequest();

        ByteBuffer avro = VlmRequest.getEncoder().encode(request);

        byte[] expected = new byte[avro.remaining()];
        avro.get(expected);
        assertThat(requests.encode(request)).isEqualTo(expected);
    }

    @Test
    void rejectsBytesWithoutTheMarkerAsUndecodable() {
        byte[] json = "{\"requestId\":\"req-1\",\"task\":\"QA\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        UndecodableRecordException e = catchThrowableOfType(UndecodableRecordException.class,
                () -> requests.decode(json));

        assertThat(e.errorType()).isEqualTo(ErrorType.UNDECODABLE_RECORD);
        assertThat(e).hasMessageContaining("not single-object encoded").hasMessageContaining("0x7B");
    }

    @Test
    void rejectsMessagesShorterThanTheHeaderAsUndecodable() {
        byte[] header = requests.fingerprint().header();

        for (int length = 0; length < header.length; length++) {
            byte[] cut = Arrays.copyOf(header, length);
            assertThatThrownBy(() -> requests.decode(cut))
                    .isInstanceOf(UndecodableRecordException.class)
                    .hasMessageContaining("shorter than the 10-byte single-object header");
        }
    }

    @Test
    void rejectsEveryTruncationOfTheDatumAsUndecodable() {
        byte[] message = requests.encode(SampleEvents.vlmRequest());

        for (int length = 10; length < message.length; length++) {
            byte[] cut = Arrays.copyOf(message, length);
            assertThatThrownBy(() -> requests.decode(cut))
                    .as("message cut to %d of %d bytes", length, message.length)
                    .isInstanceOf(UndecodableRecordException.class)
                    .hasMessageContaining("truncated or corrupt");
        }
    }

    @Test
    void rejectsTrailingBytesAsUndecodable() {
        byte[] message = requests.encode(SampleEvents.vlmRequest());
        byte[] longer = Arrays.copyOf(message, message.length + 1);

        assertThatThrownBy(() -> requests.decode(longer))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("bytes left over");
    }

    @Test
    void rejectsTombstonesAsUndecodable() {
        assertThatThrownBy(() -> requests.decode(null))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("tombstone");
    }

    @Test
    void reportsAnUnknownFingerprintWithItsHex() {
        byte[] message = requests.encode(SampleEvents.vlmRequest());
        SchemaFingerprint stranger = SchemaFingerprint.parseHex("0011223344556677");
        System.arraycopy(stranger.toBytes(), 0, message, 2, 8);

        UnknownSchemaException e = catchThrowableOfType(UnknownSchemaException.class,
                () -> requests.decode(message));

        assertThat(e.errorType()).isEqualTo(ErrorType.UNKNOWN_SCHEMA);
        assertThat(e.fingerprint()).isEqualTo(stranger);
        assertThat(e).hasMessageStartingWith("unknown schema fingerprint 0011223344556677")
                .hasMessageContaining(requests.fingerprint().toHex());
    }

    @Test
    void namesTheTypeOfARecordOnTheWrongTopic() {
        byte[] result = EventCodec.of(VlmResult.class).encode(SampleEvents.vlmResult());

        assertThatThrownBy(() -> requests.decode(result))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("dev.hovle.schemas.VlmResult (wrong topic?)");
    }

    @Test
    void rejectsAHugeDeclaredLengthBeforeAllocatingIt() {
        // ImageEvent's first field is a string: declare 2^30 bytes (zig-zag varint) and provide none.
        EventCodec<ImageEvent> images = EventCodec.of(ImageEvent.class);
        byte[] message = concat(images.fingerprint().header(), new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, 0x08});

        assertThatThrownBy(() -> images.decode(message))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void turnsEveryCorruptionIntoAnEventOrUndecodable() {
        byte[] valid = requests.encode(SampleEvents.vlmRequest());
        Random random = new Random(7);

        for (int attempt = 0; attempt < 5_000; attempt++) {
            byte[] message;
            if (attempt % 2 == 0) {
                // A valid header followed by noise.
                byte[] noise = new byte[random.nextInt(80)];
                random.nextBytes(noise);
                message = concat(requests.fingerprint().header(), noise);
            } else {
                // A valid message with a few datum bytes flipped.
                message = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    message[10 + random.nextInt(message.length - 10)] = (byte) random.nextInt(256);
                }
            }
            try {
                assertThat(requests.decode(message)).isNotNull();
            } catch (UndecodableRecordException expected) {
                // The only acceptable failure.
            } catch (EventDecodingException | RuntimeException e) {
                throw new AssertionError("attempt " + attempt + " escaped as " + e, e);
            }
        }
    }

    @Test
    void refusesAWriterSchemaItCannotRead() {
        String json = VlmResult.getClassSchema().toString()
                .replace("{\"name\":\"text\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}",
                        "{\"name\":\"text\",\"type\":\"int\"");
        Schema textAsInt = new Schema.Parser().parse(json);
        assertThat(SchemaFingerprint.of(textAsInt)).isNotEqualTo(SchemaFingerprint.of(VlmResult.getClassSchema()));

        assertThatThrownBy(() -> EventCodec.of(VlmResult.class).withWriterSchema(textAsInt))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be read as dev.hovle.schemas.VlmResult");
    }

    @Test
    void keepsItsWriterSchemasThroughJavaSerialization() throws Exception {
        Schema v1 = SchemaEvolutionTest.vlmResultV1();
        EventCodec<VlmResult> codec = EventCodec.of(VlmResult.class).withWriterSchema(v1);

        EventCodec<?> copy = deserialize(serialize(codec));

        assertThat(copy.type()).isEqualTo(VlmResult.class);
        assertThat(copy.knownFingerprints()).containsExactlyElementsOf(codec.knownFingerprints());
        byte[] v1Message = EventCodec.generic(v1).encode(SchemaEvolutionTest.v1Result());
        assertThat(copy.decode(v1Message)).isInstanceOf(VlmResult.class);
    }

    @Test
    void genericCodecSurvivesJavaSerialization() throws Exception {
        Schema v1 = SchemaEvolutionTest.vlmResultV1();
        EventCodec<?> copy = deserialize(serialize(EventCodec.generic(v1)));

        assertThat(copy.schema()).isEqualTo(v1);
        assertThat(copy.decode(EventCodec.generic(v1).encode(SchemaEvolutionTest.v1Result())))
                .isEqualTo(SchemaEvolutionTest.v1Result());
    }

    private static byte[] serialize(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    private static EventCodec<?> deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (EventCodec<?>) in.readObject();
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
