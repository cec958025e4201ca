package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Task;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ImageJoinFunctionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration RETENTION = Duration.ofSeconds(60);

    private KeyedTwoInputStreamOperatorTestHarness<String, IncomingImage, ImageNeed, ImagePart> harness;

    private void open(boolean autoCaption, Duration retention) throws Exception {
        ImageJoinFunction join = ImageJoinFunction.builder().setWait(WAIT).setRetention(retention)
                .optAutoCaption(autoCaption).build();
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(join, i -> i.image().getImageId(),
                ImageNeed::imageId, Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void answersANeedThatArrivesAfterTheImage() throws Exception {
        open(false, RETENTION);
        ImageEvent image = TestEvents.image("img-1", new byte[] {1, 2, 3});
        harness.processElement1(new StreamRecord<>(TestEvents.incoming(image, 0)));
        harness.setProcessingTime(1000);
        harness.processElement2(new StreamRecord<>(new ImageNeed("req-1", "img-1", 0)));

        assertThat(harness.extractOutputValues()).containsExactly(new ImagePart("req-1", "img-1", 0, image));
    }

    @Test
    void answersANeedThatArrivedBeforeTheImageAndLeavesNoTimer() throws Exception {
        open(false, RETENTION);
        harness.processElement2(new StreamRecord<>(new ImageNeed("req-1", "img-1", 0)));
        harness.processElement2(new StreamRecord<>(new ImageNeed("req-2", "img-1", 1)));
        assertThat(harness.extractOutputValues()).isEmpty();

        ImageEvent image = TestEvents.image("img-1", new byte[] {1});
        harness.setProcessingTime(1000);
        harness.processElement1(new StreamRecord<>(TestEvents.incoming(image, 0)));

        assertThat(harness.extractOutputValues()).containsExactlyInAnyOrder(new ImagePart("req-1", "img-1", 0, image),
                new ImagePart("req-2", "img-1", 1, image));
        // Only the image's retention timer is left: the needs' deadline timers went with them.
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void answersMissingAfterTheWaitAndClearsState() throws Exception {
        open(false, RETENTION);
        harness.processElement2(new StreamRecord<>(new ImageNeed("req-1", "img-404", 0)));
        harness.setProcessingTime(WAIT.toMillis() - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(WAIT.toMillis());

        assertThat(harness.extractOutputValues()).containsExactly(new ImagePart("req-1", "img-404", 0, null));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void forgetsImagesAfterTheRetention() throws Exception {
        open(false, RETENTION);
        harness.processElement1(new StreamRecord<>(TestEvents.incoming(TestEvents.image("img-1", new byte[] {1}), 0)));
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.setProcessingTime(RETENTION.toMillis());

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.processElement2(new StreamRecord<>(new ImageNeed("req-late", "img-1", 0)));
        harness.setProcessingTime(RETENTION.toMillis() + WAIT.toMillis());
        assertThat(harness.extractOutputValues()).containsExactly(new ImagePart("req-late", "img-1", 0, null));
    }

    @Test
    void captionsEveryArrivingImageWhenAutoCaptionIsOn() throws Exception {
        open(true, Duration.ZERO);
        ImageEvent image = TestEvents.image("img-7", new byte[] {7});
        IncomingImage incoming = TestEvents.incoming(image, 42);

        harness.processElement1(new StreamRecord<>(incoming));

        List<WorkItem> captions = harness.getSideOutput(ImageJoinFunction.CAPTIONS).stream()
                .map(StreamRecord::getValue).toList();
        assertThat(captions).singleElement().satisfies(item -> {
            assertThat(item.request().getRequestId()).isEqualTo("caption:img-7");
            assertThat(item.request().getTask()).isEqualTo(Task.CAPTION);
            assertThat(item.request().getImageIds()).containsExactly("img-7");
            assertThat(item.images()).singleElement().satisfies(i -> assertThat(i.data()).containsExactly(7));
            // A failed caption is reported against the image record itself, bytes included.
            assertThat(item.source()).isEqualTo(incoming.source());
        });
        // With no retention nothing is kept for later requests.
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
