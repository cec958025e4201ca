package dev.hovle.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both engines serve sequences past {@code max_position_embeddings} under dynamic NTK scaling with the tokens of the
 * official recomputation (DynamicNtkDecodingTest checks the logits of the same model calls step by step).
 */
class DynamicNtkEnginesTest {
    private static final int IMG_CONTEXT = 313;

    static Stream<Arguments> engines() {
        Function<HoVLEModel, GenerationEngine> sequential = m -> SequentialEngine.builder().setModel(m).build();
        // Budget 8 prefills the image prompts in many chunks while the text sequences decode beside them.
        Function<HoVLEModel, GenerationEngine> batching = m -> ContinuousBatchingEngine.builder().setModel(m)
                .optMaxBatch(4).optTokenBudget(8).optMaxSequenceLength(m.config().maxContextLength()).build();
        return Stream.of(Arguments.of("sequential", sequential), Arguments.of("continuous batching", batching));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void textSequencesOnBothSidesOfTheLimitGetTheFullForwardTokens(String name,
            Function<HoVLEModel, GenerationEngine> engineFor, @TempDir Path temp) throws Exception {
        // Limits 16 (holistic) and 20 (LLM): the context is 40. Prompts of 4, 11 and 25 ids, 12 new tokens each:
        // one never passes a limit, one crosses both while decoding, one starts past both.
        try (HoVLEModel model = HoVLEModel.load(TestModels.withDynamicNtk(temp, false, 16, 20))) {
            Random random = new Random(3);
            List<GenerationRequest> requests = new ArrayList<>();
            for (int length : new int[] {4, 11, 25}) {
                int[] ids = random.ints(length, 3, 300).toArray();
                ids[0] = 1;
                requests.add(GenerationRequest.of("text-" + length, ids, ids, null, GenerationParams.greedy(12)));
            }
            assertServedAsRecomputed(model, engineFor, requests);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void imagePromptsInBothPlacementsGetTheFullForwardTokens(String name,
            Function<HoVLEModel, GenerationEngine> engineFor, @TempDir Path temp) throws Exception {
        Path golden = TestModels.goldenCase();
        int[] prompt = TestModels.promptIds(golden);
        PixelTensor pixels = new PixelTensor(TestModels.pixelValues(golden), 3, 56);
        // pre: the LLM (235 ids) crosses 238 while decoding. post: the HD sequence (271 ids) is past 16 throughout.
        try (HoVLEModel pre = HoVLEModel.load(TestModels.withDynamicNtk(temp, false, 0, 238));
                HoVLEModel post = HoVLEModel.load(TestModels.withDynamicNtk(temp, true, 16, 238))) {
            assertServedAsRecomputed(pre, engineFor, List.of(
                    GenerationRequest.of("pre", prompt, prompt, pixels, GenerationParams.greedy(8))));
            int[] hd = TestModels.hdIds(prompt, IMG_CONTEXT, 4);
            assertServedAsRecomputed(post, engineFor, List.of(
                    GenerationRequest.of("post", prompt, hd, pixels, GenerationParams.greedy(8))));
        }
    }

    /** Submits every request at once and checks each one's tokens against the cache-free recomputation. */
    private static void assertServedAsRecomputed(HoVLEModel model, Function<HoVLEModel, GenerationEngine> engineFor,
            List<GenerationRequest> requests) {
        try (GenerationEngine engine = engineFor.apply(model)) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            requests.forEach(r -> results.add(engine.submit(r).result()));
            for (int i = 0; i < requests.size(); i++) {
                GenerationRequest r = requests.get(i);
                int[] expected = GenerationEngineContractTest.cacheFree(model, r.inputIds(), r.holisticIds(),
                        r.pixels(), r.params().maxNewTokens());
                assertThat(results.get(i).join().tokens()).as(r.id()).containsExactly(expected);
            }
        }
    }
}
