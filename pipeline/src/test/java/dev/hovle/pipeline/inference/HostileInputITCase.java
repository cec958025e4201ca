package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.HostileImages;
import dev.hovle.testkit.SyntheticImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hundred hostile records against the running inference job (in-process broker, MiniCluster): random bytes,
 * truncated and re-fingerprinted Avro, valid Avro with absurd values, image bombs of every supported format,
 * endless, forbidden and escaping URIs, huge id lists, prompts past the context. Each becomes exactly one dead letter
 * of the right type with its provenance, the good requests sent after them are answered exactly once, the job never
 * restarts, and no dead letter carries bytes of a file on this machine.
 */
class HostileInputITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SECRET = "hovle-secret-6f1c2a";
    private static final long MAX_BYTES = 64 * 1024;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path work;

    private final Random random = new Random(18);
    private final SyntheticImages images = new SyntheticImages(18);
    private final List<Hostile> hostile = new ArrayList<>();

    /** One bad record, its Kafka key (unique), and the dead letter it must become. */
    private record Hostile(String topic, String key, byte[] value, ErrorType expected) {}

    @Test
    void turnsEveryHostileRecordIntoOneDeadLetterAndKeepsServing() throws Exception {
        Path modelDir = work.resolve("model");
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
        Path allowed = Files.createDirectories(work.resolve("images"));
        Path secret = Files.writeString(work.resolve("secret.txt"), SECRET + "\n");
        Configuration options = new Configuration();
        options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
        options.set(InferenceOptions.MODEL_VERSION, "tiny-hostile");
        options.set(InferenceOptions.MAX_NEW_TOKENS, 4);
        options.set(InferenceOptions.IMAGE_WAIT, Duration.ofSeconds(2));
        options.set(InferenceOptions.PIXEL_LIMIT, 200L * 200);
        options.set(InferenceOptions.IMAGE_URI_PREFIXES, List.of(allowed.toUri().toString()));
        options.set(InferenceOptions.IMAGE_MAX_BYTES, new MemorySize(MAX_BYTES));
        options.set(InferenceOptions.MAX_IMAGES, 4);
        options.set(InferenceOptions.FAILURES_LEDGER_DIR, work.resolve("ledger").toString());

        addGarbage(Topic.IMAGES.defaultName(), EventCodec.of(ImageEvent.class).encode(image("x", png(32))));
        addGarbage(Topic.REQUESTS.defaultName(), EventCodec.of(VlmRequest.class).encode(caption("x", png(32))));
        addBadImageEvents(allowed, secret);
        addBadRequests();

        try (JobUnderTest testbed = JobUnderTest.start(options, spec -> spec)) {
            for (Hostile h : hostile) {
                testbed.producer().sendRaw(h.topic(), h.key().getBytes(StandardCharsets.UTF_8), h.value());
            }
            // Good work after the storm: inline captions, a picture read from the allowed directory, a question.
            Files.write(allowed.resolve("good.png"), png(64));
            List<String> good = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                testbed.producer().send(Topic.REQUESTS.defaultName(), caption("good-" + i, png(48)));
                good.add("good-" + i);
            }
            testbed.producer().send(Topic.IMAGES.defaultName(), ImageEvent.newBuilder(image("good-uri", null))
                    .setUri(allowed.resolve("good.png").toUri().toString()).build());
            good.add("caption:good-uri");
            testbed.producer().send(Topic.REQUESTS.defaultName(), VlmRequest.newBuilder().setRequestId("good-qa")
                    .setTask(Task.QA).setEventTime(Instant.now()).setPrompt("What is red?")
                    .setImageIds(List.of("good-uri")).build());
            good.add("good-qa");
            testbed.producer().flush();

            JobOutputs outputs = testbed.outputs();
            outputs.awaitDeadLetters(letters -> letters.size() >= hostile.size(), hostile.size() + " dead letters",
                    TIMEOUT);
            outputs.awaitResults(results -> results.stream().map(VlmResult::getRequestId).toList().containsAll(good),
                    "the good requests' results", TIMEOUT);
            awaitSentinel(testbed);

            Map<String, List<DeadLetter>> lettersByKey = outputs.deadLetters().stream().collect(
                    Collectors.groupingBy(l -> StandardCharsets.UTF_8.decode(l.getKey().duplicate()).toString()));
            for (Hostile h : hostile) {
                assertThat(lettersByKey.get(h.key())).as("dead letters of %s", h.key()).singleElement()
                        .satisfies(letter -> {
                            assertThat(letter.getErrorType()).as("%s: %s", h.key(), letter.getMessage())
                                    .isEqualTo(h.expected());
                            assertThat(letter.getSourceTopic()).isEqualTo(h.topic());
                            assertThat(letter.getSourceOffset()).isNotNull();
                            assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(h.value()));
                            assertThat(letter.getMessage()).doesNotContain(SECRET).doesNotContain("root:x:");
                        });
            }
            assertThat(lettersByKey).as("dead letters of good requests").doesNotContainKeys("good-0", "good-uri",
                    "good-qa");
            Map<String, Long> answers = outputs.results().stream()
                    .collect(Collectors.groupingBy(VlmResult::getRequestId, Collectors.counting()));
            assertThat(answers).as("results per request").containsAllEntriesOf(good.stream()
                    .collect(Collectors.toMap(Function.identity(), id -> 1L)));
            assertThat(answers.keySet()).as("hostile records answered").doesNotContainAnyElementsOf(
                    hostile.stream().map(Hostile::key).toList());
            assertThat(testbed.job().restarts(FLINK.getClientConfiguration())).as("job restarts").isZero();
        }
    }

    @Test
    void setsAsideARequestThatRestartedTheJobMaxAttemptsTimes() throws Exception {
        Path modelDir = work.resolve("poison-model");
        SnapshotInitializer.create(modelDir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 6);
        Configuration options = new Configuration();
        options.set(InferenceOptions.MODEL_DIR, modelDir.toString());
        options.set(InferenceOptions.MAX_NEW_TOKENS, 4);
        options.set(InferenceOptions.MAX_FAILED_ATTEMPTS, 2);
        options.set(InferenceOptions.FAILURES_LEDGER_DIR, work.resolve("poison-ledger").toString());

        try (JobUnderTest testbed = JobUnderTest.start(options,
                spec -> spec.withFactory(new PoisonEngineFactory(spec.factory(), "poison-")))) {
            testbed.producer().send(Topic.REQUESTS.defaultName(), caption("before-poison", png(32)));
            testbed.producer().flush();
            testbed.outputs().awaitResult("before-poison", TIMEOUT);
            testbed.producer().send(Topic.REQUESTS.defaultName(), caption("poison-1", png(32)));
            for (int i = 0; i < 4; i++) {
                testbed.producer().send(Topic.REQUESTS.defaultName(), caption("after-poison-" + i, png(32)));
            }
            testbed.producer().flush();

            DeadLetter setAside = testbed.outputs().awaitDeadLetter(l -> l.getKey() != null && StandardCharsets.UTF_8
                    .decode(l.getKey().duplicate()).toString().equals("poison-1"), "poison-1", TIMEOUT);
            for (int i = 0; i < 4; i++) {
                testbed.outputs().awaitResult("after-poison-" + i, TIMEOUT);
            }
            awaitSentinel(testbed);

            assertThat(setAside.getErrorType()).as(setAside.getMessage()).isEqualTo(ErrorType.REPEATED_FAILURE);
            assertThat(setAside.getMessage()).contains("failed 2 times");
            assertThat(PoisonEngineFactory.POISONED.get()).as("poisoned submissions").isEqualTo(2);
            assertThat(testbed.job().restarts(FLINK.getClientConfiguration())).as("job restarts").isEqualTo(2);
            assertThat(testbed.job().status()).isEqualTo("RUNNING");
            Map<String, Long> answers = testbed.outputs().results().stream()
                    .collect(Collectors.groupingBy(VlmResult::getRequestId, Collectors.counting()));
            assertThat(answers).containsOnlyKeys("before-poison", "sentinel", "after-poison-0", "after-poison-1",
                    "after-poison-2", "after-poison-3").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
        }
    }

    /**
     * Sends one more request and waits for its result: whatever the job was still committing (a duplicate, say) has
     * had a few more checkpoints to show up.
     */
    private void awaitSentinel(JobUnderTest testbed) throws Exception {
        testbed.producer().send(Topic.REQUESTS.defaultName(), caption("sentinel", png(32)));
        testbed.producer().flush();
        testbed.outputs().awaitResult("sentinel", TIMEOUT);
    }

    /** Random bytes, truncated messages and messages whose schema fingerprint was bit-flipped, on {@code topic}. */
    private void addGarbage(String topic, byte[] valid) {
        for (int i = 0; i < 60; i++) {
            add(topic, "noise", HostileImages.noise(random, random.nextInt(200)), ErrorType.UNDECODABLE_RECORD);
        }
        for (int i = 0; i < 40; i++) {
            add(topic, "truncated", Arrays.copyOf(valid, 10 + random.nextInt(valid.length - 10)),
                    ErrorType.UNDECODABLE_RECORD);
        }
        for (int i = 0; i < 30; i++) {
            byte[] flipped = valid.clone();
            flipped[2 + random.nextInt(8)] ^= (byte) (1 << random.nextInt(8));
            add(topic, "fingerprint", flipped, ErrorType.UNKNOWN_SCHEMA);
        }
    }

    private void addBadImageEvents(Path allowed, Path secret) throws Exception {
        for (int i = 0; i < 4; i++) {
            addImage("png-bomb", HostileImages.pngDeclaring(60_000, 60_000 - i), ErrorType.IMAGE_TOO_LARGE);
            addImage("jpeg-bomb", HostileImages.jpegDeclaring(65_000, 65_000 - i), ErrorType.IMAGE_TOO_LARGE);
            addImage("webp-bomb", HostileImages.webpDeclaring(16_384, 16_384 - i), ErrorType.IMAGE_TOO_LARGE);
            addImage("over-max-bytes", HostileImages.noise(random, (int) MAX_BYTES + 1 + i),
                    ErrorType.IMAGE_TOO_LARGE);
            addImage("gif", HostileImages.gif(), ErrorType.UNSUPPORTED_IMAGE_FORMAT);
            addImage("garbage", HostileImages.noise(random, 100), ErrorType.UNSUPPORTED_IMAGE_FORMAT);
            addImage("corrupt", images.corruptPng(64, 64), ErrorType.CORRUPT_IMAGE);
        }
        String topic = Topic.IMAGES.defaultName();
        add(topic, "both", EventCodec.of(ImageEvent.class).encode(ImageEvent.newBuilder(image("both", png(8)))
                .setUri(allowed.resolve("a.png").toUri().toString()).build()), ErrorType.UNDECODABLE_RECORD);
        add(topic, "neither", EventCodec.of(ImageEvent.class).encode(image("neither", null)),
                ErrorType.UNDECODABLE_RECORD);

        Path link = Files.createSymbolicLink(allowed.resolve("cat.png"), secret);
        Path fifo = allowed.resolve("endless.png");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Files.createDirectories(allowed.resolve("album"));
        Files.write(allowed.resolve("huge.png"), new byte[(int) MAX_BYTES * 2]);
        Files.writeString(allowed.resolve("notes.png"), SECRET + " is not a picture");
        String base = allowed.toUri().toString();
        for (String uri : List.of("file:///dev/zero", "file:///dev/urandom", "file:///etc/passwd",
                "file:///proc/self/environ", secret.toUri().toString(), base + "../secret.txt",
                base + "%2e%2e/secret.txt", link.toUri().toString(), fifo.toUri().toString(), base + "album",
                "s3://photos/in/a.png", "http://169.254.169.254/latest/meta-data", "images/relative.png",
                "file:///dev/../etc/passwd", "not a uri at all")) {
            addUri(uri, ErrorType.IMAGE_URI_REFUSED);
        }
        addUri(base + "missing.png", ErrorType.IMAGE_MISSING);
        addUri(base + "huge.png", ErrorType.IMAGE_TOO_LARGE);
        addUri(base + "notes.png", ErrorType.UNSUPPORTED_IMAGE_FORMAT);
    }

    private void addBadRequests() {
        List<GenerationParams> absurd = List.of(
                GenerationParams.newBuilder().setMaxNewTokens(-5).build(),
                GenerationParams.newBuilder().setMaxNewTokens(0).build(),
                GenerationParams.newBuilder().setTemperature(-1f).build(),
                GenerationParams.newBuilder().setTemperature(Float.NaN).build(),
                GenerationParams.newBuilder().setTopP(7f).build(),
                GenerationParams.newBuilder().setTopP(Float.NaN).build(),
                GenerationParams.newBuilder().setTopK(-3).build());
        for (GenerationParams params : absurd) {
            addRequest("absurd", key -> VlmRequest.newBuilder(caption(key, png(16))).setGeneration(params).build(),
                    ErrorType.INVALID_REQUEST);
        }
        addRequest("unknown-task", key -> VlmRequest.newBuilder(caption(key, png(16))).setTask(Task.UNKNOWN).build(),
                ErrorType.INVALID_REQUEST);
        addRequest("caption-no-image", key -> VlmRequest.newBuilder(caption(key, png(16)))
                .setImages(List.of()).build(), ErrorType.INVALID_REQUEST);
        addRequest("qa-no-prompt", key -> VlmRequest.newBuilder(caption(key, png(16))).setTask(Task.QA).build(),
                ErrorType.INVALID_REQUEST);
        addRequest("history-on-qa", key -> VlmRequest.newBuilder(question(key, "Why?")).setHistory(List.of(
                new ChatTurn(ChatRole.USER, "Hi"), new ChatTurn(ChatRole.ASSISTANT, "Hello"))).build(),
                ErrorType.INVALID_REQUEST);
        addRequest("history-not-alternating", key -> VlmRequest.newBuilder(question(key, "Why?")).setTask(Task.CHAT)
                .setHistory(List.of(new ChatTurn(ChatRole.ASSISTANT, "Hi"), new ChatTurn(ChatRole.USER, "Hello")))
                .build(), ErrorType.INVALID_REQUEST);
        addRequest("placeholders", key -> question(key, "<image> or <image> or <image>?"), ErrorType.INVALID_REQUEST);
        addRequest("huge-id-list", key -> VlmRequest.newBuilder(question(key, "Which?")).setImageIds(
                IntStream.range(0, 10_000).mapToObj(i -> "img-" + i).toList()).build(), ErrorType.INVALID_REQUEST);
        addRequest("too-many-inline", key -> VlmRequest.newBuilder(caption(key, png(8))).setImages(
                Collections.nCopies(5, inline(png(8)))).build(), ErrorType.INVALID_REQUEST);
        addRequest("blank-id", key -> VlmRequest.newBuilder(caption(key, png(16))).setRequestId(" ").build(),
                ErrorType.INVALID_REQUEST);
        addRequest("endless-answer", key -> VlmRequest.newBuilder(caption(key, png(16))).setGeneration(
                GenerationParams.newBuilder().setMaxNewTokens(1_000_000).build()).build(), ErrorType.PROMPT_TOO_LONG);
        addRequest("endless-prompt", key -> VlmRequest.newBuilder(caption(key, png(16)))
                .setPrompt("why ".repeat(50_000)).build(), ErrorType.PROMPT_TOO_LONG);
        addRequest("inline-over-max-bytes", key -> caption(key, HostileImages.noise(random, (int) MAX_BYTES + 1)),
                ErrorType.IMAGE_TOO_LARGE);
        addRequest("inline-bomb", key -> caption(key, HostileImages.pngDeclaring(50_000, 50_000)),
                ErrorType.IMAGE_TOO_LARGE);
    }

    private void add(String topic, String kind, byte[] value, ErrorType expected) {
        hostile.add(new Hostile(topic, "hostile-" + hostile.size() + "-" + kind, value, expected));
    }

    private void addImage(String kind, byte[] data, ErrorType expected) {
        String key = "hostile-" + hostile.size() + "-" + kind;
        hostile.add(new Hostile(Topic.IMAGES.defaultName(), key, EventCodec.of(ImageEvent.class)
                .encode(image(key, data)), expected));
    }

    private void addUri(String uri, ErrorType expected) {
        String key = "hostile-" + hostile.size() + "-uri";
        hostile.add(new Hostile(Topic.IMAGES.defaultName(), key, EventCodec.of(ImageEvent.class)
                .encode(ImageEvent.newBuilder(image(key, null)).setUri(uri).build()), expected));
    }

    private void addRequest(String kind, Function<String, VlmRequest> request, ErrorType expected) {
        String key = "hostile-" + hostile.size() + "-" + kind;
        hostile.add(new Hostile(Topic.REQUESTS.defaultName(), key, EventCodec.of(VlmRequest.class)
                .encode(request.apply(key)), expected));
    }

    private byte[] png(int size) {
        return images.next(size, size).data();
    }

    private static ImageEvent image(String id, byte[] data) {
        return ImageEvent.newBuilder().setImageId(id).setSource("hostile-test").setEventTime(Instant.now())
                .setMediaType("image/png").setData(data == null ? null : ByteBuffer.wrap(data)).build();
    }

    private static VlmRequest caption(String id, byte[] image) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(Instant.now())
                .setImages(List.of(inline(image))).build();
    }

    private static VlmRequest question(String id, String prompt) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.QA).setEventTime(Instant.now()).setPrompt(prompt)
                .setImages(List.of(inline(new byte[] {1}))).build();
    }

    private static InlineImage inline(byte[] data) {
        return InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(data)).build();
    }
}
