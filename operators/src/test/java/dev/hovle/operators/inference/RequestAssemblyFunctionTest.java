package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.VlmRequest;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestAssemblyFunctionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private KeyedTwoInputStreamOperatorTestHarness<String, IncomingRequest, ImagePart, WorkItem> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new RequestAssemblyFunction(WAIT),
                r -> r.request().getRequestId(), ImagePart::requestId, Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void assemblesImagesInRequestOrderWhicheverArrivesFirst() throws Exception {
        ImageEvent a = TestEvents.image("img-a", new byte[] {1});
        ImageEvent b = TestEvents.image("img-b", new byte[] {2});
        harness.processElement2(new StreamRecord<>(new ImagePart("req-1", "img-b", 1, b)));
        harness.processElement1(new StreamRecord<>(TestEvents.incoming(TestEvents.qa("req-1", "Same?", "img-a", "img-b"),
                3)));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processElement2(new StreamRecord<>(new ImagePart("req-1", "img-a", 0, a)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(item -> {
            assertThat(item.images()).extracting(ImageInput::label).containsExactly("img-a", "img-b");
            assertThat(item.source().offset()).isEqualTo(3);
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void passesInlineImagesThroughWithoutState() throws Exception {
        VlmRequest caption = TestEvents.inlineCaption("req-inline", new byte[] {9, 9});

        harness.processElement1(new StreamRecord<>(TestEvents.incoming(caption, 0)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(item -> {
            assertThat(item.images()).singleElement().satisfies(i -> {
                assertThat(i.label()).isEqualTo("inline image 1");
                assertThat(i.data()).containsExactly(9, 9);
            });
            // The bytes travel once, in the image list, not again inside the request.
            assertThat(item.request().getImages()).isEmpty();
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void sendsRequestWithMissingImageToDeadLettersAndClearsState() throws Exception {
        harness.processElement1(new StreamRecord<>(TestEvents.incoming(TestEvents.qa("req-2", "What?", "img-a",
                "img-404"), 8)));
        harness.processElement2(new StreamRecord<>(new ImagePart("req-2", "img-a", 0,
                TestEvents.image("img-a", new byte[] {1}))));
        harness.processElement2(new StreamRecord<>(new ImagePart("req-2", "img-404", 1, null)));

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> letters = harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorType.IMAGE_MISSING);
            assertThat(letter.getStage()).isEqualTo(PipelineStage.ASSEMBLE);
            assertThat(letter.getSourceOffset()).isEqualTo(8);
            assertThat(letter.getMessage()).contains("img-404");
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void clearsPartsWhoseRequestNeverCame() throws Exception {
        harness.processElement2(new StreamRecord<>(new ImagePart("req-ghost", "img-a", 0,
                TestEvents.image("img-a", new byte[] {1}))));
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.setProcessingTime(2 * WAIT.toMillis());

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNull();
    }
}
