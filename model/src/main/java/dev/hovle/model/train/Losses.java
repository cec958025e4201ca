package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.layers.Scalars;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** Training objectives. */
public final class Losses {
    /** Label of a position that takes no part in the loss (prompt, image and padding positions). */
    public static final int IGNORE = -100;

    private Losses() {}

    /**
     * Mean next-token cross-entropy: logits at t (1, M, V) scored against labels[t + 1], over the positions whose
     * shifted label is not {@link #IGNORE}; computed in float32.
     */
    public static NDArray nextTokenCrossEntropy(NDManager scope, NDArray logits, int[] labels) {
        int count = targetCount(labels);
        if (count == 0) {
            throw new IllegalArgumentException("no labelled position: every label is " + IGNORE);
        }
        return Scalars.div(nextTokenCrossEntropySum(scope, logits, List.of(labels)), count);
    }

    /**
     * Summed next-token cross-entropy over a right-padded batch: logits (B, N, V), where sequence b's position t is
     * scored against {@code labels.get(b)[t + 1]} unless that label is {@link #IGNORE}. Positions past a sequence's
     * end are never read, so padding cannot change the loss. Computed in float32.
     */
    public static NDArray nextTokenCrossEntropySum(NDManager scope, NDArray logits, List<int[]> labels) {
        return crossEntropySum(scope, logits.reshape(labels.size() * logits.getShape().get(1), -1), labels,
                logits.getShape().get(1), null);
    }

    /**
     * The same loss from final hidden states (B, N, C) and an LM head: the head runs on the labelled positions only,
     * which is most of the saving when answers are short and prompts long.
     */
    public static NDArray nextTokenCrossEntropySum(NDManager scope, NDArray hidden, List<int[]> labels,
            UnaryOperator<NDArray> head) {
        return crossEntropySum(scope, hidden.reshape(labels.size() * hidden.getShape().get(1), -1), labels,
                hidden.getShape().get(1), head);
    }

    private static NDArray crossEntropySum(NDManager scope, NDArray flat, List<int[]> labels, long n,
            UnaryOperator<NDArray> head) {
        long[] rows = new long[Math.toIntExact(labels.size() * n)];
        long[] ids = new long[rows.length];
        int count = 0;
        for (int b = 0; b < labels.size(); b++) {
            int[] seq = labels.get(b);
            for (int t = 0; t + 1 < seq.length; t++) {
                if (seq[t + 1] != IGNORE) {
                    rows[count] = b * n + t;
                    ids[count++] = seq[t + 1];
                }
            }
        }
        NDArray picked = flat.get(scope.create(Arrays.copyOf(rows, count))); // (count, C or V)
        NDArray logits = head == null ? picked : head.apply(picked); // (count, V)
        NDArray logProbs = logits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        return logProbs.gather(scope.create(Arrays.copyOf(ids, count)).expandDims(1), 1).sum().neg();
    }

    /**
     * Summed negative cosine similarity of paired rows: predicted (K, C) against targets (K, C), in float32. Its
     * minimum, −K, means every row points exactly along its target.
     */
    public static NDArray negativeCosineSum(NDArray predicted, NDArray targets) {
        NDArray p = predicted.toType(DataType.FLOAT32, false);
        NDArray t = targets.toType(DataType.FLOAT32, false);
        NDArray dot = p.mul(t).sum(new int[] {1}); // (K)
        // The norms are clamped as torch's cosine_similarity does, so an all-zero row cannot divide by zero.
        NDArray norms = Scalars.maximum(p.norm(new int[] {1}).mul(t.norm(new int[] {1})), 1e-8f);
        return dot.div(norms).sum().neg();
    }

    /** Positions t whose next label {@code labels[t + 1]} is scored. */
    public static int targetCount(int[] labels) {
        int count = 0;
        for (int t = 1; t < labels.length; t++) {
            if (labels[t] != IGNORE) {
                count++;
            }
        }
        return count;
    }
}
