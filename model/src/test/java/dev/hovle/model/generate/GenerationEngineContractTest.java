package dev.hovle.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.TestModels;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link GenerationEngine} must do; each implementation's test class runs it. */
abstract class GenerationEngineContractTest {
    private static final int IMG_CONTEXT = 313;
    private static final int IM_END = 309;

    static HoVLEModel model;
    static int[] prompt;
    static PixelTensor pixels;
    GenerationEngine engine;

    /** The engine under test, serving {@code model} as version "golden-1". */
    abstract GenerationEngine newEngine(HoVLEModel served);

    @BeforeAll
    static void load() throws Exception {
        Path golden = TestModels.goldenCase();
        model = HoVLEModel.load(golden);
        prompt = TestModels.promptIds(golden);
        pixels = new PixelTensor(TestModels.pixelValues(golden), 3, 56);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @BeforeEach
    void startEngine() {
        engine = newEngine(model);
    }

    @AfterEach
    void stopEngine() {
        engine.close();
    }

    @Test
    void cachedGreedyTokensEqualCacheFreeRecomputation() {
        int[] tokens = run(GenerationRequest.of("golden", prompt, prompt, pixels, GenerationParams.greedy(8)));
        assertThat(tokens).containsExactly(222, 41, 172, 188, 234, 257, 204, 224);
        assertThat(tokens).containsExactly(cacheFree(model, prompt, prompt, pixels, 8));
    }

    @Test
    void cachedGreedyEqualsCacheFreeOnRandomTextPrompts() {
        Random random = new Random(7);
        for (int trial = 0; trial < 3; trial++) {
            int[] ids = random.ints(5 + random.nextInt(40), 3, 300).toArray();
            ids[0] = 1;
            int[] cached = run(GenerationRequest.of("text-" + trial, ids, ids, null, GenerationParams.greedy(6)));
            assertThat(cached).as("trial %d", trial).containsExactly(cacheFree(model, ids, ids, null, 6));
        }
    }

    @Test
    void postPlacementCachedGreedyEqualsCacheFree(@TempDir Path temp) throws Exception {
        try (HoVLEModel post = HoVLEModel.load(TestModels.asPostPlacement(TestModels.goldenCase(), temp));
                GenerationEngine postEngine = newEngine(post)) {
            int[] hd = TestModels.hdIds(prompt, IMG_CONTEXT, 4);
            int[] cached = postEngine.submit(GenerationRequest.of("post", prompt, hd, pixels, GenerationParams.greedy(6)))
                    .result().join().tokens();
            assertThat(cached).containsExactly(cacheFree(post, prompt, hd, pixels, 6));
        }
    }

    @Test
    void answersAboutSeveralImagesInOnePromptAsTheReferenceDoes() {
        // Two images: the golden image's 3 tiles, then the same tiles reversed as a second image.
        int tileValues = 3 * 56 * 56;
        float[] values = pixels.values();
        float[] both = java.util.Arrays.copyOf(values, values.length * 2);
        for (int t = 0; t < 3; t++) {
            System.arraycopy(values, (2 - t) * tileValues, both, values.length + t * tileValues, tileValues);
        }
        PixelTensor two = new PixelTensor(both, 6, 56);
        int[] ids = withSecondImage(prompt, 12);
        int[] cached = run(GenerationRequest.of("two-images", ids, ids, two, GenerationParams.greedy(5)));
        assertThat(cached).containsExactly(cacheFree(model, ids, ids, two, 5));
    }

    @Test
    void treatsAGeneratedImageContextTokenAsAnOrdinaryToken() throws Exception {
        // Force <IMG_CONTEXT> as the first generated token by making it the prompt's only sampling choice: a
        // temperature-free sampler cannot be forced, so decode it directly after a prefill instead.
        try (ai.djl.ndarray.NDManager scope = model.newScope();
                dev.hovle.model.cache.SequenceCaches caches = model.newCaches(scope, prompt.length + 2, prompt.length + 2)) {
            ai.djl.ndarray.NDArray pixelArray = scope.create(pixels.values(), new Shape(3, 3, 56, 56));
            model.prefill(scope, new MultimodalInput(prompt, prompt, pixelArray), caches);
            float[] logits = model.decode(scope, IMG_CONTEXT, caches).toFloatArray();
            assertThat(logits).hasSize(320).doesNotContain(Float.NaN);
        }
    }

    @Test
    void swapsTheModelBetweenRequestsWithEveryResultNamingItsVersion(@TempDir Path temp) throws Exception {
        // Same shapes, another model: the golden weights with another holistic rotary base.
        try (HoVLEModel next = HoVLEModel.load(TestModels.variant(TestModels.goldenCase(), temp, "theta",
                c -> c.put("rope_theta", 500.0)))) {
            GenerationEngine swapping = newEngine(model);
            try (swapping) {
                CompletableFuture<Integer> started = new CompletableFuture<>();
                CompletableFuture<GenerationResult> before = swapping.submit(GenerationRequest.of("before", prompt,
                        prompt, pixels, GenerationParams.greedy(20)).withListener(started::complete)).result();
                started.join(); // running on the first model when the swap is asked for
                CompletableFuture<HoVLEModel> swapped = swapping.swapModel(next, "golden-2");
                GenerationResult after = swapping.submit(GenerationRequest.of("after", prompt, prompt, pixels,
                        GenerationParams.greedy(4))).result().join();
                assertThat(swapped.join()).isSameAs(model);
                assertThat(before.join().modelVersion()).isEqualTo("golden-1");
                assertThat(before.join().tokens()).containsExactly(cacheFree(model, prompt, prompt, pixels, 20));
                assertThat(after.modelVersion()).isEqualTo("golden-2");
                assertThat(after.tokens()).containsExactly(cacheFree(next, prompt, prompt, pixels, 4))
                        .isNotEqualTo(cacheFree(model, prompt, prompt, pixels, 4));
                assertThat(swapping.modelVersion()).isEqualTo("golden-2");
            }
        }
    }

    @Test
    void refusesToSwapInAModelOfAnotherShapeOrPlacement(@TempDir Path temp) throws Exception {
        try (HoVLEModel post = HoVLEModel.load(TestModels.asPostPlacement(TestModels.goldenCase(), temp))) {
            assertThatThrownBy(() -> engine.swapModel(post, "post").join())
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("placement");
        }
        dev.hovle.model.snapshot.RandomSnapshot.write(temp, dev.hovle.model.snapshot.ModelSize.TINY,
                dev.hovle.model.weights.TensorDtype.F32, dev.hovle.model.config.PixelShuffleLocation.PRE, 1);
        try (HoVLEModel other = HoVLEModel.load(temp)) {
            assertThatThrownBy(() -> engine.swapModel(other, "tiny").join())
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another shape");
            assertThat(engine.modelVersion()).isEqualTo("golden-1");
        }
    }

    @Test
    void streamsEveryTokenToTheListenerInOrder() {
        List<Integer> streamed = new CopyOnWriteArrayList<>();
        GenerationResult result = engine.submit(GenerationRequest.of("stream", prompt, prompt, pixels,
                GenerationParams.greedy(5)).withListener(streamed::add)).result().join();
        assertThat(streamed).containsExactly(Arrays.stream(result.tokens()).boxed().toArray(Integer[]::new));
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(result.modelVersion()).isEqualTo("golden-1");
        assertThat(result.promptTokens()).isEqualTo(prompt.length);
    }

    @Test
    void stopsAtAStopTokenWithoutEmittingIt() {
        // The golden case's third greedy token is 172: make it the stop token.
        GenerationResult result = engine.submit(GenerationRequest.of("stop", prompt, prompt, pixels,
                GenerationParams.greedy(8, 172))).result().join();
        assertThat(result.tokens()).containsExactly(222, 41);
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void servesConcurrentSubmittersWithTheTokensEachGetsAlone() throws Exception {
        int[] alone = run(GenerationRequest.of("alone", prompt, prompt, pixels, GenerationParams.greedy(4)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String id = "concurrent-" + i;
                futures.add(pool.submit(() -> run(GenerationRequest.of(id, prompt, prompt, pixels,
                        GenerationParams.greedy(4)))));
            }
            for (Future<int[]> f : futures) {
                assertThat(f.get()).containsExactly(alone);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void seededSamplingDependsOnlyOnTheSeed() {
        GenerationParams sampled = new GenerationParams(6, new int[0], new SamplingParams(1.0, 50, 0.9, 42));
        int[] first = run(GenerationRequest.of("s1", prompt, prompt, pixels, sampled));
        int[] second = run(GenerationRequest.of("s2", prompt, prompt, pixels, sampled));
        GenerationParams otherSeed = new GenerationParams(6, new int[0], new SamplingParams(1.0, 50, 0.9, 43));
        int[] third = run(GenerationRequest.of("s3", prompt, prompt, pixels, otherSeed));
        assertThat(second).containsExactly(first);
        assertThat(third).isNotEqualTo(first);
    }

    @Test
    void cancelledRequestFinishesCancelled() {
        GenerationRequest slow = GenerationRequest.of("cancel", prompt, prompt, pixels, GenerationParams.greedy(200));
        GenerationHandle handle = engine.submit(slow.withListener(token -> {}));
        handle.cancel();
        GenerationResult result = handle.result().join();
        assertThat(result.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(result.tokens().length).isLessThan(200);
    }

    @Test
    void requestThatExpiredInTheQueueFinishesWithDeadlineAndNoTokens() {
        GenerationRequest late = GenerationRequest.of("late", prompt, prompt, pixels, GenerationParams.greedy(200))
                .withDeadline(Instant.now().minusSeconds(1));
        GenerationResult result = engine.submit(late).result().join();
        assertThat(result.finishReason()).isEqualTo(FinishReason.DEADLINE);
        assertThat(result.tokens()).isEmpty();
    }

    @Test
    void refusesAPromptOverTheContextLength() {
        int context = model.config().maxContextLength();
        GenerationRequest tooLong = GenerationRequest.of("long", prompt, prompt, pixels,
                GenerationParams.greedy(context - prompt.length + 1));
        assertThatThrownBy(() -> engine.submit(tooLong).result().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(PromptTooLongException.class)
                .hasMessageContaining("exceeds the context length of " + context);
    }

    @Test
    void refusesImageTokensThatDoNotMatchTheTiles() {
        PixelTensor twoTiles = new PixelTensor(Arrays.copyOf(pixels.values(), 2 * 3 * 56 * 56), 2, 56);
        assertThatThrownBy(() -> engine.submit(GenerationRequest.of("tiles", prompt, prompt, twoTiles,
                GenerationParams.greedy(2))).result().join())
                .cause().isInstanceOf(GenerationException.class).hasMessageContaining("2 tiles need 8");
    }

    @Test
    void longRunLeavesNoNativeArraysBehind() {
        run(GenerationRequest.of("warm", prompt, prompt, pixels, GenerationParams.greedy(3)));
        int before = model.liveNativeArrays();
        for (int i = 0; i < 30; i++) {
            run(GenerationRequest.of("leak-" + i, prompt, prompt, pixels, GenerationParams.greedy(3)));
        }
        assertThat(model.liveNativeArrays()).isEqualTo(before);
    }

    /** The prompt with a second {@code <img>...</img>} of {@code contextTokens} right after the first image. */
    static int[] withSecondImage(int[] ids, int contextTokens) {
        int imgEnd = 312;
        int at = 0;
        while (ids[at] != imgEnd) {
            at++;
        }
        int[] out = new int[ids.length + contextTokens + 2];
        System.arraycopy(ids, 0, out, 0, at + 1);
        out[at + 1] = 311;
        java.util.Arrays.fill(out, at + 2, at + 2 + contextTokens, IMG_CONTEXT);
        out[at + 2 + contextTokens] = imgEnd;
        System.arraycopy(ids, at + 1, out, at + 3 + contextTokens, ids.length - at - 1);
        return out;
    }

    int[] run(GenerationRequest request) {
        return engine.submit(request).result().join().tokens();
    }

    /** Greedy tokens by recomputing the whole sequence for every token, as the official generate() does. */
    static int[] cacheFree(HoVLEModel m, int[] ids, int[] hdIds, PixelTensor px, int steps) {
        int[] out = new int[steps];
        try (NDManager scope = m.newScope()) {
            NDArray pixelArray = px == null ? null : scope.create(px.values(), new Shape(px.tiles(), 3, px.size(), px.size()));
            MultimodalInput input = new MultimodalInput(ids, hdIds, pixelArray);
            for (int s = 0; s < steps; s++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray logits = m.forward(step, input, ForwardObserver.NONE);
                    out[s] = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
                }
                input = new MultimodalInput(append(input.inputIds(), out[s]), append(input.holisticIds(), out[s]),
                        pixelArray);
            }
        }
        return out;
    }

    private static int[] append(int[] a, int v) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}
