package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.VlmRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareFunctionTest {
    @TempDir
    static Path modelDir;

    private OneInputStreamOperatorTestHarness<WorkItem, PreparedRequest> harness;

    @BeforeAll
    static void createModel() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 1);
    }

    private void open(long pixelLimit) throws Exception {
        open(pixelLimit, ImageLimits.DEFAULTS);
    }

    private void open(long pixelLimit, ImageLimits limits) throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(PrepareFunction.builder()
                .setModelDir(modelDir.toString()).optMaxNewTokens(16).optPixelLimit(pixelLimit)
                .optImageLimits(limits).build());
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void preparesAQuestionAboutAnImage() throws Exception {
        open(1_000_000);
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-1", "What is red?", "img-1"),
                TestEvents.image("img-1", TestImages.png(80, 60)))));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.meta().requestId()).isEqualTo("req-1");
            assertThat(p.meta().imageIds()).containsExactly("img-1");
            assertThat(p.pixels().tiles()).isPositive();
            assertThat(p.params().maxNewTokens()).isEqualTo(16);
            assertThat(p.inputIds()).isNotEmpty();
        });
        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNull();
    }

    @Test
    void sendsCorruptImageToDeadLetters() throws Exception {
        assertThat(deadLetterFor(TestImages.truncatedPng(), 1_000_000)).satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorType.CORRUPT_IMAGE);
            assertThat(letter.getStage()).isEqualTo(PipelineStage.PREPARE);
            assertThat(letter.getMessage()).contains("req-bad");
        });
    }

    @Test
    void sendsUnsupportedImageFormatToDeadLetters() throws Exception {
        assertThat(deadLetterFor(TestImages.gif(32, 32), 1_000_000).getErrorType())
                .isEqualTo(ErrorType.UNSUPPORTED_IMAGE_FORMAT);
    }

    @Test
    void sendsImageOverThePixelLimitToDeadLetters() throws Exception {
        assertThat(deadLetterFor(TestImages.jpeg(64, 64), 64 * 63).getErrorType()).isEqualTo(ErrorType.IMAGE_TOO_LARGE);
    }

    @Test
    void sendsPromptOverTheContextToDeadLetters() throws Exception {
        open(1_000_000);
        VlmRequest longAnswer = VlmRequest.newBuilder(TestEvents.qa("req-long", "Tell me everything.", "img-1"))
                .setGeneration(GenerationParams.newBuilder().setMaxNewTokens(1_000_000).build()).build();
        harness.processElement(new StreamRecord<>(item(longAnswer, TestEvents.image("img-1", TestImages.png(56, 56)))));

        assertThat(deadLetters()).singleElement()
                .satisfies(letter -> assertThat(letter.getErrorType()).isEqualTo(ErrorType.PROMPT_TOO_LONG));
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void sendsUnreadableImageUriToDeadLettersAsMissing() throws Exception {
        open(1_000_000, allowing(modelDir));
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-uri", "What?", "img-uri"),
                byUri("img-uri", modelDir.resolve("no-such-image.png").toUri().toString()))));

        assertThat(deadLetters()).singleElement()
                .satisfies(letter -> assertThat(letter.getErrorType()).isEqualTo(ErrorType.IMAGE_MISSING));
    }

    @Test
    void readsAnImageUriUnderAnAllowedPrefix() throws Exception {
        Path image = Files.write(modelDir.resolve("allowed.png"), TestImages.png(56, 56));
        open(1_000_000, allowing(modelDir));
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-uri", "What?", "img-uri"),
                byUri("img-uri", image.toUri().toString()))));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(p -> assertThat(p.pixels().tiles()).isPositive());
    }

    @Test
    void refusesAnImageUriOutsideTheAllowedPrefixesWithoutEchoingTheFile() throws Exception {
        open(1_000_000, allowing(modelDir));
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-etc", "What?", "img-etc"),
                byUri("img-etc", "file:///etc/passwd"))));

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorType.IMAGE_URI_REFUSED);
            assertThat(letter.getMessage()).contains("file:///etc/passwd").doesNotContain("root").doesNotContain("0x");
        });
    }

    @Test
    void refusesADeviceUriEvenUnderAnAllowedPrefix() throws Exception {
        open(1_000_000, allowing(Path.of("/dev")));
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-zero", "What?", "img-zero"),
                byUri("img-zero", "file:///dev/zero"))));

        assertThat(deadLetters()).singleElement()
                .satisfies(letter -> assertThat(letter.getErrorType()).isEqualTo(ErrorType.IMAGE_URI_REFUSED));
    }

    private static ImageLimits allowing(Path dir) {
        return new ImageLimits(List.of(dir.toUri().toString()), ImageLimits.DEFAULT_MAX_BYTES,
                ImageLimits.DEFAULT_READ_TIMEOUT, ImageLimits.DEFAULT_MAX_PER_REQUEST);
    }

    private static ImageEvent byUri(String id, String uri) {
        return ImageEvent.newBuilder(TestEvents.image(id, new byte[0])).setData(null).setUri(uri).build();
    }

    private DeadLetter deadLetterFor(byte[] image, long pixelLimit) throws Exception {
        open(pixelLimit);
        harness.processElement(new StreamRecord<>(item(TestEvents.qa("req-bad", "What?", "img-bad"),
                TestEvents.image("img-bad", image))));
        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
    }

    private static WorkItem item(VlmRequest request, ImageEvent image) {
        return new WorkItem(request, List.of(ImageInputs.of(image)), TestEvents.incoming(request, 5).source(), 0);
    }
}
