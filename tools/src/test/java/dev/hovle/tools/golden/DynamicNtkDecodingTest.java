package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.ChunkedPrefill;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.TestModels;
import dev.hovle.model.cache.SequenceCaches;
import dev.hovle.model.cache.SlotKvCache;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cached decoding past {@code max_position_embeddings} under dynamic NTK scaling (factor 2), on the golden case's
 * random weights with small limits. The official greedy decoding recomputes the whole sequence at every step with
 * the base of its current length; every cached path must give those logits, at every step, within the golden
 * README's relative 1e-4.
 */
class DynamicNtkDecodingTest {
    /** The golden README's tolerance for float32 tensors, greedy_last_logits included. */
    private static final double TOLERANCE = 1e-4;
    private static final int IMG_CONTEXT = 313;
    private static final int UNSCALED = 0;

    @TempDir
    Path temp;

    /**
     * One sequence to decode: the golden image prompt or a random text prompt of {@code textLength} ids, on a model
     * whose stacks scale past the given limits ({@link #UNSCALED}: the golden config's rope).
     */
    record Scenario(String name, boolean post, int holisticLimit, int llmLimit, int textLength, int steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(
                // Text: the holistic stack passes its limit at length 17, the LLM at 21.
                new Scenario("text, both stacks cross while decoding", false, 16, 20, 10, 16),
                new Scenario("text, only the LLM scales", false, UNSCALED, 14, 10, 10),
                // Image, post: the HD sequence (271) is past 16 from the prompt on; the LLM (235) crosses 238.
                new Scenario("image post, holistic past from the prompt, LLM crosses", true, 16, 238, 0, 8),
                // Image, pre: the LLM is past 200 from the prompt on; the holistic stack crosses 240.
                new Scenario("image pre, LLM past from the prompt, holistic crosses", false, 240, 200, 0, 8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void cachedDecodingMatchesFullForwardPastNtkLimit(Scenario scenario) throws Exception {
        try (HoVLEModel model = HoVLEModel.load(
                TestModels.withDynamicNtk(temp, scenario.post(), scenario.holisticLimit(), scenario.llmLimit()));
                NDManager scope = model.newScope()) {
            MultimodalInput soFar = prompt(scope, scenario.post(), scenario.textLength());
            double worst = 0;
            try (SequenceCaches caches = model.newCaches(scope, soFar.holisticIds().length + scenario.steps(),
                    soFar.inputIds().length + scenario.steps())) {
                float[] cached;
                try (NDManager step = scope.newSubManager()) {
                    cached = model.prefill(step, soFar, caches).toFloatArray();
                }
                for (int s = 0; s < scenario.steps(); s++) {
                    double error = Deviation.maxRelativeError(cached, fullForward(model, scope, soFar));
                    assertThat(error).as("step %d, %s", s, soFar).isLessThan(TOLERANCE);
                    worst = Math.max(worst, error);
                    int token = argMax(cached);
                    MultimodalInput grown = soFar.followedBy(new int[] {token});
                    try (NDManager step = scope.newSubManager()) {
                        cached = model.decode(step, token, caches, () -> grown).toFloatArray();
                    }
                    soFar = grown;
                }
            }
            System.out.printf("%s: largest relative logit error %.2e%n", scenario, worst);
            assertThat(model.recomputesAt(soFar.holisticIds().length, soFar.inputIds().length))
                    .as("the scenario ends past a limit").isTrue();
        }
    }

    @Test
    void batchedDecodingMatchesFullForwardWithSequencesOnBothSidesOfTheLimit() throws Exception {
        int steps = 12;
        try (HoVLEModel model = HoVLEModel.load(TestModels.withDynamicNtk(temp, false, 16, 20));
                NDManager scope = model.newScope();
                SlotKvCache holistic = new SlotKvCache(scope, model.config().embedding().transformer(), 3, 260,
                        DataType.FLOAT32);
                SlotKvCache llm = new SlotKvCache(scope, model.config().llm().transformer(), 3, 260,
                        DataType.FLOAT32)) {
            // 4 + 12 never passes 16; 11 crosses both limits; the image prompt (235) is past them from the start.
            MultimodalInput[] soFar = {prompt(scope, false, 4), prompt(scope, false, 11), prompt(scope, false, 0)};
            int batch = soFar.length;
            float[][] cached = new float[batch][];
            for (int b = 0; b < batch; b++) {
                ChunkedPrefill prefill = model.startPrefill(scope, soFar[b], holistic.slot(b), llm.slot(b));
                while (cached[b] == null) {
                    try (NDManager step = scope.newSubManager()) {
                        NDArray logits = prefill.advance(step, 7); // several chunks per prompt
                        cached[b] = logits == null ? null : logits.toFloatArray();
                    }
                }
            }
            boolean mixedStep = false;
            for (int s = 0; s < steps; s++) {
                int[] tokens = new int[batch];
                int recomputed = 0;
                for (int b = 0; b < batch; b++) {
                    assertThat(Deviation.maxRelativeError(cached[b], fullForward(model, scope, soFar[b])))
                            .as("step %d, sequence %d (%s)", s, b, soFar[b]).isLessThan(TOLERANCE);
                    tokens[b] = argMax(cached[b]);
                    soFar[b] = soFar[b].followedBy(new int[] {tokens[b]});
                    recomputed += model.recomputesAt(soFar[b].holisticIds().length, soFar[b].inputIds().length) ? 1 : 0;
                }
                mixedStep |= recomputed > 0 && recomputed < batch;
                MultimodalInput[] sequences = soFar.clone();
                try (NDManager step = scope.newSubManager()) {
                    float[] all = model.decodeBatch(step, tokens, holistic, llm, b -> sequences[b]).toFloatArray();
                    int vocab = all.length / batch;
                    for (int b = 0; b < batch; b++) {
                        cached[b] = Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab);
                    }
                }
            }
            for (int b = 0; b < batch; b++) {
                assertThat(Deviation.maxRelativeError(cached[b], fullForward(model, scope, soFar[b])))
                        .as("last step, sequence %d", b).isLessThan(TOLERANCE);
            }
            assertThat(mixedStep).as("a step batched sequences on both sides of the limit").isTrue();
        }
    }

    @Test
    void decodingBelowTheLimitNeverAsksForTheSequence() throws Exception {
        try (HoVLEModel model = HoVLEModel.load(TestModels.withDynamicNtk(temp, false, 16, 20));
                NDManager scope = model.newScope();
                SequenceCaches caches = model.newCaches(scope, 32, 32)) {
            MultimodalInput prompt = prompt(scope, false, 4);
            model.prefill(scope, prompt, caches);
            // Lengths 5..16: no stack has passed its limit, so no step may need the sequence so far.
            for (int length = 5; length <= 16; length++) {
                try (NDManager step = scope.newSubManager()) {
                    model.decode(step, 42, caches);
                }
            }
            try (NDManager step = scope.newSubManager()) {
                assertThatThrownBy(() -> model.decode(step, 42, caches)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("dynamic NTK");
            }
        }
    }

    /** The golden image prompt ({@code textLength} 0; HD ids in the post placement), else random text after BOS. */
    private static MultimodalInput prompt(NDManager scope, boolean post, int textLength) throws Exception {
        if (textLength > 0) {
            int[] ids = new Random(textLength).ints(textLength, 3, 300).toArray();
            ids[0] = 1;
            return MultimodalInput.of(ids, null);
        }
        Path golden = TestModels.goldenCase();
        int[] ids = TestModels.promptIds(golden);
        NDArray pixels = scope.create(TestModels.pixelValues(golden), new Shape(3, 3, 56, 56));
        return new MultimodalInput(ids, post ? TestModels.hdIds(ids, IMG_CONTEXT, 4) : ids, pixels);
    }

    /** The official recomputation: the last position's logits of a cache-free forward over the whole sequence. */
    private static float[] fullForward(HoVLEModel model, NDManager scope, MultimodalInput sequence) {
        try (NDManager step = scope.newSubManager()) {
            return model.forward(step, sequence, ForwardObserver.NONE).get(new NDIndex("0, -1")).toFloatArray();
        }
    }

    private static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
