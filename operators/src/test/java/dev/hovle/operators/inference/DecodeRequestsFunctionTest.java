package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.wire.EventCodec;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeRequestsFunctionTest {
    private OneInputStreamOperatorTestHarness<SourceRecord, IncomingRequest> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeRequestsFunction());
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void decodesARequest() throws Exception {
        VlmRequest qa = TestEvents.qa("req-1", "What?", "img-1");
        harness.processElement(new StreamRecord<>(TestEvents.incoming(qa, 4).source()));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(in -> assertThat(in.request()).isEqualTo(qa));
    }

    @Test
    void sendsUndecodableRecordToDeadLettersWithItsBytes() throws Exception {
        byte[] garbage = {'h', 'e', 'l', 'l', 'o'};
        harness.processElement(new StreamRecord<>(TestEvents.record("hovle.requests", 11, "k", garbage)));

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorType.UNDECODABLE_RECORD);
            assertThat(letter.getStage()).isEqualTo(PipelineStage.DECODE);
            assertThat(letter.getSourceTopic()).isEqualTo("hovle.requests");
            assertThat(letter.getSourceOffset()).isEqualTo(11);
            assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
            assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(new byte[] {'k'}));
        });
    }

    @Test
    void sendsRecordOfUnknownSchemaToDeadLetters() throws Exception {
        // A valid single-object message, but of another type: its fingerprint is not a request schema.
        byte[] image = EventCodec.of(ImageEvent.class).encode(TestEvents.image("img-1", new byte[] {1}));
        harness.processElement(new StreamRecord<>(TestEvents.record("hovle.requests", 12, "img-1", image)));

        assertThat(deadLetters()).singleElement()
                .satisfies(letter -> assertThat(letter.getErrorType()).isEqualTo(ErrorType.UNKNOWN_SCHEMA));
    }

    @Test
    void sendsRequestThatCannotBeServedToDeadLetters() throws Exception {
        VlmRequest noImage = VlmRequest.newBuilder(TestEvents.qa("req-x", "What?")).setTask(Task.CAPTION).build();
        harness.processElement(new StreamRecord<>(TestEvents.incoming(noImage, 13).source()));

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(letter.getMessage()).contains("CAPTION request req-x has no image");
        });
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
    }
}
