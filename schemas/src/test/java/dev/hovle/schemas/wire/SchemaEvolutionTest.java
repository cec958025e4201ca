package dev.hovle.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.FinishReason;
import dev.hovle.schemas.SampleEvents;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;

/**
 * Proves that readers and writers one schema version apart interoperate through the single-object decoder:
 * VlmResult v1 (a test resource) lacks {@code imageIds}, which v2 (the current schema) adds with default [].
 */
class SchemaEvolutionTest {

    private static final Schema V1 = vlmResultV1();

    static Schema vlmResultV1() {
        return history("VlmResult-v1.avsc");
    }

    private static Schema history(String file) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/dev/hovle/schemas/history/" + file)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A result as a v1 writer produces it. */
    static GenericRecord v1Result() {
        Schema timings = V1.getField("timings").schema();
        return new GenericRecordBuilder(V1)
                .set("requestId", "req-1")
                .set("task", new GenericData.EnumSymbol(V1.getField("task").schema(), "CAPTION"))
                .set("text", "A red car on a wet road.")
                .set("finishReason", new GenericData.EnumSymbol(V1.getField("finishReason").schema(), "STOP"))
                .set("promptTokens", 270)
                .set("generatedTokens", 9)
                .set("modelVersion", "v6")
                .set("timings", new GenericRecordBuilder(timings)
                        .set("queueMillis", 1L).set("preprocessMillis", 2L)
                        .set("prefillMillis", 3L).set("decodeMillis", 4L).build())
                .set("eventTime", SampleEvents.T0.toEpochMilli())
                .set("processingTime", SampleEvents.T0.toEpochMilli() + 500)
                .build();
    }

    @Test
    void readsRecordsWrittenWithNewerSchema() throws EventDecodingException {
        VlmResult v2Result = SampleEvents.vlmResult();
        byte[] message = EventCodec.of(VlmResult.class).encode(v2Result);
        EventCodec<GenericRecord> v1Reader = EventCodec.generic(V1).withWriterSchema(VlmResult.getClassSchema());

        GenericRecord read = v1Reader.decode(message);

        assertThat(read.getSchema()).isEqualTo(V1);
        assertThat(read.hasField("imageIds")).isFalse();
        assertThat(read.get("requestId")).hasToString(v2Result.getRequestId());
        assertThat(read.get("text")).hasToString(v2Result.getText());
        assertThat(read.get("finishReason")).hasToString("STOP");
        assertThat(read.get("modelVersion")).hasToString("v7");
        assertThat(((GenericRecord) read.get("timings")).get("prefillMillis")).isEqualTo(250L);
        assertThat(read.get("processingTime")).isEqualTo(v2Result.getProcessingTime().toEpochMilli());
    }

    @Test
    void readsRecordsWrittenWithOlderSchema() throws EventDecodingException {
        byte[] message = EventCodec.generic(V1).encode(v1Result());
        EventCodec<VlmResult> v2Reader = EventCodec.of(VlmResult.class).withWriterSchema(V1);

        VlmResult read = v2Reader.decode(message);

        assertThat(read.getImageIds()).isEmpty();
        assertThat(read.getRequestId()).isEqualTo("req-1");
        assertThat(read.getTask()).isEqualTo(Task.CAPTION);
        assertThat(read.getText()).isEqualTo("A red car on a wet road.");
        assertThat(read.getFinishReason()).isEqualTo(FinishReason.STOP);
        assertThat(read.getTimings().getDecodeMillis()).isEqualTo(4L);
        assertThat(read.getEventTime()).isEqualTo(SampleEvents.T0);
        assertThat(read.getProcessingTime()).isEqualTo(SampleEvents.T0.plusMillis(500));
    }

    @Test
    void rejectsOlderRecordsUntilTheirSchemaIsRegistered() {
        byte[] message = EventCodec.generic(V1).encode(v1Result());

        assertThatThrownBy(() -> EventCodec.of(VlmResult.class).decode(message))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining(SchemaFingerprint.of(V1).toHex());
    }

    @Test
    void readsAnEnumSymbolAddedLaterAsUnknown() throws EventDecodingException {
        Schema newer = new Schema.Parser().parse(VlmRequest.getClassSchema().toString()
                .replace("\"CHAT\"]", "\"CHAT\",\"GROUNDING\"]"));
        GenericRecord grounding = new GenericRecordBuilder(newer)
                .set("requestId", "req-9")
                .set("task", new GenericData.EnumSymbol(newer.getField("task").schema(), "GROUNDING"))
                .set("eventTime", Instant.EPOCH.toEpochMilli())
                .build();
        byte[] message = EventCodec.generic(newer).encode(grounding);

        VlmRequest read = EventCodec.of(VlmRequest.class).withWriterSchema(newer).decode(message);

        assertThat(read.getTask()).isEqualTo(Task.UNKNOWN);
        assertThat(read.getRequestId()).isEqualTo("req-9");
    }

    @Test
    void oldDeadLetterReadersSeeTheNewErrorTypesAsUnknown() throws EventDecodingException {
        Schema v1 = history("DeadLetter-v1.avsc");
        DeadLetter refused = DeadLetter.newBuilder(SampleEvents.deadLetter()).setErrorType(ErrorType.INVALID_REQUEST)
                .setMessage("request req-1: topP must be in (0, 1], found 7.0").build();
        byte[] message = EventCodec.of(DeadLetter.class).encode(refused);

        GenericRecord read = EventCodec.generic(v1).withWriterSchema(DeadLetter.getClassSchema()).decode(message);

        assertThat(read.get("errorType")).hasToString("UNKNOWN");
        assertThat(read.get("message")).hasToString(refused.getMessage());
        assertThat(read.get("sourceOffset")).isEqualTo(1234L);
    }

    @Test
    void newDeadLetterReadersReadOldDeadLetters() throws EventDecodingException {
        Schema v1 = history("DeadLetter-v1.avsc");
        byte[] message = EventCodec.generic(v1).encode(new GenericRecordBuilder(v1)
                .set("sourceTopic", "hovle.requests")
                .set("errorType", new GenericData.EnumSymbol(v1.getField("errorType").schema(), "CORRUPT_IMAGE"))
                .set("message", "request req-1: truncated PNG")
                .set("stage", new GenericData.EnumSymbol(v1.getField("stage").schema(), "PREPARE"))
                .set("time", SampleEvents.T0.toEpochMilli())
                .build());

        DeadLetter read = EventCodec.of(DeadLetter.class).withWriterSchema(v1).decode(message);

        assertThat(read.getErrorType()).isEqualTo(ErrorType.CORRUPT_IMAGE);
        assertThat(read.getMessage()).isEqualTo("request req-1: truncated PNG");
    }
}
