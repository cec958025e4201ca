package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.TestModels;
import dev.hovle.model.snapshot.SnapshotConverter;
import dev.hovle.model.weights.SafetensorsFile;
import dev.hovle.model.weights.TensorDtype;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bf16 snapshot served as bf16 (the kernels read the mapping; prefill widens a block at a time) against the same
 * bf16 values written back as float32 and served by the float32 path: logits within 1e-5 relative, the same greedy
 * tokens, on every golden model case.
 */
class Bfloat16ParityTest {
    private static final double TOLERANCE = 1e-5;
    private static final int STEPS = 8;
    /** The tensors the host kernels serve: decoder projections of both stacks, the LM head, the token tables. */
    private static final Pattern SERVED = Pattern.compile(
            ".*(wqkv|wo|w1|w2|w3)\\.weight|language_model\\.output\\.weight|.*(tok_embeddings|llm_text_embeddings)\\.weight");

    @TempDir
    Path temp;

    @Test
    void bf16WeightsGiveTheLogitsAndGreedyTokensOfFloat32OnTheSameValues() throws Exception {
        for (Path golden : TestModels.goldenModelCases()) {
            String name = golden.getFileName().toString();
            Path bf16 = temp.resolve("bf16-" + name);
            Path f32 = temp.resolve("f32-" + name);
            SnapshotConverter.convert(golden, bf16, TensorDtype.BF16);
            SnapshotConverter.convert(bf16, f32, TensorDtype.F32);
            try (HoVLEModel served = HoVLEModel.load(bf16);
                    HoVLEModel reference = HoVLEModel.load(f32);
                    SafetensorsFile expected = SafetensorsFile.open(golden.resolve("case.safetensors"));
                    NDManager scope = served.newScope()) {
                long servedTensors = served.weights().byName().keySet().stream()
                        .filter(n -> SERVED.matcher(n).matches()).count();
                assertThat(served.weights().hostViews().bf16Count()).as("%s: matrices kept bf16, never widened", name)
                        .isEqualTo(servedTensors).isPositive();
                assertThat(reference.weights().hostViews().bf16Count()).isZero();

                MultimodalInput input = GoldenModelCase.input(expected, scope);
                float[] prompt;
                float[] promptReference;
                try (NDManager step = scope.newSubManager()) {
                    prompt = served.forward(step, input, ForwardObserver.NONE).toFloatArray();
                    promptReference = reference.forward(step, input, ForwardObserver.NONE).toFloatArray();
                }
                assertThat(Deviation.maxRelativeError(prompt, promptReference)).as("%s: logits over the prompt", name)
                        .isLessThanOrEqualTo(TOLERANCE);

                CachedGreedy greedy = CachedGreedy.run(served, scope, input, STEPS);
                CachedGreedy greedyReference = CachedGreedy.run(reference, scope, input, STEPS);
                assertThat(greedy.tokens()).as("%s: greedy tokens", name).containsExactly(greedyReference.tokens());
                assertThat(Deviation.maxRelativeError(greedy.logits(), greedyReference.logits()))
                        .as("%s: logits of every decode step", name).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }
}
