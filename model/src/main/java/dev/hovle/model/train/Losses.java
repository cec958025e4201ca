package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

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
        int m = labels.length;
        long[] targetRows = new long[m];
        long[] targetIds = new long[m];
        int count = 0;
        for (int t = 0; t + 1 < m; t++) {
            if (labels[t + 1] != IGNORE) {
                targetRows[count] = t;
                targetIds[count] = labels[t + 1];
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no labelled position: every label is " + IGNORE);
        }
        NDArray rows = logits.reshape(m, -1).get(scope.create(java.util.Arrays.copyOf(targetRows, count)));
        NDArray logProbs = rows.toType(DataType.FLOAT32, false).logSoftmax(-1); // (count, V)
        NDArray picked = logProbs.gather(scope.create(java.util.Arrays.copyOf(targetIds, count)).expandDims(1), 1);
        return picked.mean().neg();
    }
}
