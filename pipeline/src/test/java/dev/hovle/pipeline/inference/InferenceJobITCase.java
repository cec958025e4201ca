package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.RequestClient;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.SyntheticImages;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The inference job end to end on the in-process broker and a MiniCluster, one job serving every test. */
class InferenceJobITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration IMAGE_WAIT = Duration.ofSeconds(2);
    private static final long PIXEL_LIMIT = 200 * 200;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path modelDir;

    private static JobUnderTest testbed;
    private static JobOutputs outputs;
    private static EventProducer producer;
    private static final SyntheticImages IMAGES = new SyntheticImages(7);

    @BeforeAll
    static void start() throws Exception {
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 3);
        Configuration options = new Configuration();
        options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
        options.set(InferenceOptions.MODEL_VERSION, "tiny-test");
        options.set(InferenceOptions.MAX_NEW_TOKENS, 6);
        options.set(InferenceOptions.IMAGE_WAIT, IMAGE_WAIT);
        options.set(InferenceOptions.PIXEL_LIMIT, PIXEL_LIMIT);
        testbed = JobUnderTest.start(options, spec -> spec.withFactory(new FailingEngineFactory(spec.factory(),
                "fail-")));
        outputs = testbed.outputs();
        producer = testbed.producer();
    }

    @AfterAll
    static void stop() throws Exception {
        testbed.close();
    }

    @Test
    void captionsEveryImage() throws Exception {
        producer.send(Topic.IMAGES.defaultName(), image("img-caption", 96, 64));
        producer.flush();

        VlmResult caption = outputs.awaitResult("caption:img-caption", TIMEOUT);

        assertThat(caption.getTask()).isEqualTo(Task.CAPTION);
        assertThat(caption.getImageIds()).containsExactly("img-caption");
        assertThat(caption.getModelVersion()).isEqualTo("tiny-test");
        assertThat(caption.getGeneratedTokens()).isBetween(1, 7);
        assertThat(caption.getPromptTokens()).isPositive();
        assertThat(caption.getTimings().getPrefillMillis()).isNotNegative();
        assertThat(caption.getProcessingTime()).isAfterOrEqualTo(caption.getEventTime());
    }

    @Test
    void answersQuestionSentBeforeItsImage() throws Exception {
        producer.send(Topic.REQUESTS.defaultName(), qa("req-early", "What colour is the circle?", "img-late"));
        producer.flush();
        producer.send(Topic.IMAGES.defaultName(), image("img-late", 64, 64));
        producer.flush();

        VlmResult answer = outputs.awaitResult("req-early", TIMEOUT);

        assertThat(answer.getTask()).isEqualTo(Task.QA);
        assertThat(answer.getImageIds()).containsExactly("img-late");
    }

    @Test
    void answersQuestionSentAfterItsImage() throws Exception {
        producer.send(Topic.IMAGES.defaultName(), image("img-early", 64, 64));
        producer.flush();
        outputs.awaitResult("caption:img-early", TIMEOUT);
        producer.send(Topic.REQUESTS.defaultName(), qa("req-late", "What is on the left?", "img-early"));
        producer.flush();

        assertThat(outputs.awaitResult("req-late", TIMEOUT).getImageIds()).containsExactly("img-early");
    }

    @Test
    void answersAboutInlineImagesAndNamedOnesTogether() throws Exception {
        producer.send(Topic.IMAGES.defaultName(), image("img-named", 64, 48));
        VlmRequest both = VlmRequest.newBuilder(qa("req-inline", "Which picture has more shapes?", "img-named"))
                .setImages(List.of(inline(IMAGES.next(48, 48).data()))).build();
        producer.send(Topic.REQUESTS.defaultName(), both);
        VlmRequest captionInline = VlmRequest.newBuilder().setRequestId("req-inline-caption").setTask(Task.CAPTION)
                .setEventTime(Instant.now()).setImages(List.of(inline(IMAGES.next(64, 64).data()))).build();
        producer.send(Topic.REQUESTS.defaultName(), captionInline);
        producer.flush();

        assertThat(outputs.awaitResult("req-inline", TIMEOUT).getImageIds()).containsExactly("img-named");
        assertThat(outputs.awaitResult("req-inline-caption", TIMEOUT).getTask()).isEqualTo(Task.CAPTION);
    }

    @Test
    void sendsRequestForMissingImageToDeadLettersAfterTheWait() throws Exception {
        long sent = System.nanoTime();
        producer.send(Topic.REQUESTS.defaultName(), qa("req-orphan", "What is this?", "img-never"));
        producer.flush();

        DeadLetter letter = awaitDeadLetterFor("req-orphan");

        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(IMAGE_WAIT);
        assertThat(letter.getErrorType()).isEqualTo(ErrorType.IMAGE_MISSING);
        assertThat(letter.getStage()).isEqualTo(PipelineStage.ASSEMBLE);
        assertThat(letter.getSourceTopic()).isEqualTo(Topic.REQUESTS.defaultName());
        assertThat(outputs.results()).noneMatch(r -> r.getRequestId().equals("req-orphan"));
    }

    @Test
    void sendsEveryBadRecordToDeadLettersAndKeepsServing() throws Exception {
        String requests = Topic.REQUESTS.defaultName();
        producer.sendRaw(requests, bytes("bad-bytes"), bytes("not an avro message"));
        producer.sendRaw(requests, bytes("bad-schema"), dev.hovle.schemas.wire.EventCodec.of(ImageEvent.class)
                .encode(image("img-on-wrong-topic", 8, 8)));
        producer.send(Topic.IMAGES.defaultName(), ImageEvent.newBuilder(image("img-corrupt", 8, 8))
                .setData(ByteBuffer.wrap(IMAGES.corruptPng(64, 64))).build());
        producer.send(requests, inlineCaption("bad-gif", SyntheticImages.encode(
                new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED), "gif")));
        producer.send(requests, inlineCaption("bad-huge", IMAGES.next(256, 256).data()));
        producer.send(requests, VlmRequest.newBuilder(inlineCaption("bad-long", IMAGES.next(32, 32).data()))
                .setGeneration(GenerationParams.newBuilder().setMaxNewTokens(1_000_000).build()).build());
        producer.send(requests, inlineCaption("fail-engine", IMAGES.next(32, 32).data()));
        producer.flush();

        assertThat(awaitDeadLetterFor("bad-bytes").getErrorType()).isEqualTo(ErrorType.UNDECODABLE_RECORD);
        assertThat(awaitDeadLetterFor("bad-schema").getErrorType()).isEqualTo(ErrorType.UNKNOWN_SCHEMA);
        DeadLetter corrupt = awaitDeadLetterFor("img-corrupt");
        assertThat(corrupt.getErrorType()).isEqualTo(ErrorType.CORRUPT_IMAGE);
        assertThat(corrupt.getSourceTopic()).isEqualTo(Topic.IMAGES.defaultName());
        assertThat(awaitDeadLetterFor("bad-gif").getErrorType()).isEqualTo(ErrorType.UNSUPPORTED_IMAGE_FORMAT);
        assertThat(awaitDeadLetterFor("bad-huge").getErrorType()).isEqualTo(ErrorType.IMAGE_TOO_LARGE);
        assertThat(awaitDeadLetterFor("bad-long").getErrorType()).isEqualTo(ErrorType.PROMPT_TOO_LONG);
        DeadLetter failed = awaitDeadLetterFor("fail-engine");
        assertThat(failed.getErrorType()).isEqualTo(ErrorType.GENERATION_FAILED);
        assertThat(failed.getModelVersion()).isEqualTo("tiny-test");
        assertThat(failed.getPayload()).isNotNull();

        producer.send(requests, inlineCaption("req-after-bad-ones", IMAGES.next(48, 48).data()));
        producer.flush();
        assertThat(outputs.awaitResult("req-after-bad-ones", TIMEOUT).getText()).isNotNull();
        assertThat(testbed.job().status()).isEqualTo("RUNNING");
    }

    @Test
    void answersWhatTheRequestClientSendsAndReportsItsDeadLetters() throws Exception {
        try (RequestClient client = RequestClient.connect(testbed.kafka().bootstrapServers(),
                RequestClient.Topics.defaults())) {
            RequestClient.Outcome answered = client.ask(qa("req-client", "What is on the left?", "img-client"),
                    image("img-client", 64, 64), TIMEOUT);
            RequestClient.Outcome refused = client.ask(inlineCaption("req-client-gif", SyntheticImages.encode(
                    new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED), "gif")), null, TIMEOUT);

            assertThat(answered.result().getRequestId()).isEqualTo("req-client");
            assertThat(answered.deadLetter()).isNull();
            assertThat(refused.deadLetter().getErrorType()).isEqualTo(ErrorType.UNSUPPORTED_IMAGE_FORMAT);
        }
    }

    private static DeadLetter awaitDeadLetterFor(String key) throws Exception {
        ByteBuffer expected = ByteBuffer.wrap(bytes(key));
        return outputs.awaitDeadLetter(l -> expected.equals(l.getKey()), "keyed " + key, TIMEOUT);
    }

    private static ImageEvent image(String id, int width, int height) {
        SyntheticImages.Scene scene = IMAGES.next(width, height);
        return ImageEvent.newBuilder().setImageId(id).setSource("test").setEventTime(Instant.now())
                .setMediaType(scene.mediaType()).setData(ByteBuffer.wrap(scene.data())).build();
    }

    private static VlmRequest qa(String id, String question, String... imageIds) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.QA).setEventTime(Instant.now()).setPrompt(question)
                .setImageIds(List.of(imageIds)).build();
    }

    private static VlmRequest inlineCaption(String id, byte[] image) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(Instant.now())
                .setImages(List.of(inline(image))).build();
    }

    private static InlineImage inline(byte[] data) {
        return InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(data)).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
