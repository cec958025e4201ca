package dev.hovle.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ContinuousBatchingEngineTest extends GenerationEngineContractTest {
    private static final int BUDGET = 24;

    @Override
    GenerationEngine newEngine(HoVLEModel served) {
        return ContinuousBatchingEngine.builder().setModel(served).optModelVersion("golden-1").optMaxBatch(4)
                .optTokenBudget(BUDGET).optMaxSequenceLength(512).build();
    }

    @Test
    void sequencesJoiningAndLeavingMidRunGetTheReferenceTokens() {
        Random random = new Random(11);
        List<GenerationRequest> requests = new ArrayList<>();
        requests.add(GenerationRequest.of("image", prompt, prompt, pixels, GenerationParams.greedy(8)));
        for (int i = 0; i < 7; i++) {
            int[] ids = random.ints(3 + random.nextInt(60), 3, 300).toArray();
            ids[0] = 1;
            // Different prompt and answer lengths, so sequences join and leave at different steps.
            requests.add(GenerationRequest.of("text-" + i, ids, ids, null, GenerationParams.greedy(2 + random.nextInt(9))));
        }
        List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
        for (GenerationRequest r : requests) {
            results.add(engine.submit(r).result());
        }
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest r = requests.get(i);
            int[] expected = cacheFree(model, r.inputIds(), r.holisticIds(), r.pixels(), r.params().maxNewTokens());
            assertThat(results.get(i).join().tokens()).as(r.id()).containsExactly(expected);
        }
        ContinuousBatchingEngine batching = (ContinuousBatchingEngine) engine;
        assertThat(batching.stats().largestStepTokens()).isLessThanOrEqualTo(BUDGET);
        assertThat(batching.stats().decodedTokens()).isGreaterThan(batching.stats().steps());
    }

    @Test
    void prefillOnMoreThreadsGivesTheSameTokensAndRestoresDecodeThreads() {
        int before = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        try (ContinuousBatchingEngine twoThreads = ContinuousBatchingEngine.builder().setModel(model).optMaxBatch(2)
                .optTokenBudget(BUDGET).optMaxSequenceLength(512).optPrefillThreads(2).build()) {
            int[] tokens = twoThreads.submit(GenerationRequest.of("threads", prompt, prompt, pixels,
                    GenerationParams.greedy(8))).result().join().tokens();
            assertThat(tokens).containsExactly(222, 41, 172, 188, 234, 257, 204, 224);
        }
        assertThat(ai.djl.pytorch.jni.JniUtils.getNumThreads()).isEqualTo(before);
    }

    @Test
    void tokenBudgetBoundsEveryStepWhileALongPromptPrefills() {
        int[] longPrompt = new Random(5).ints(200, 3, 300).toArray();
        List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(engine.submit(GenerationRequest.of("short-" + i, prompt, prompt, pixels,
                    GenerationParams.greedy(30))).result());
        }
        results.add(engine.submit(GenerationRequest.of("long", longPrompt, longPrompt, null,
                GenerationParams.greedy(3))).result());
        results.forEach(CompletableFuture::join);
        assertThat(((ContinuousBatchingEngine) engine).stats().largestStepTokens()).isLessThanOrEqualTo(BUDGET);
    }
}
