package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.config.RopeConfig;

/**
 * Rotary position embedding in the rotate-half convention (dims [0, d/2) pair with [d/2, d)), with InternLM2's
 * dynamic NTK base. Angles are computed in float32 exactly as the official module does, so positions far from 0
 * round the same way.
 */
public final class RotaryEmbedding {
    private final RopeConfig rope;
    private final int headDim;

    public RotaryEmbedding(RopeConfig rope, int headDim) {
        this.rope = rope;
        this.headDim = headDim;
    }

    /**
     * cos and sin, each (1, T, d), for the positions {@code start .. start + count - 1} of a sequence that is
     * {@code totalLength} long (which selects the dynamic NTK base).
     */
    public NDList cosSin(NDManager manager, int start, int count, int totalLength, DataType type) {
        NDArray positions = manager.arange(start, start + count, 1, DataType.FLOAT32).expandDims(0); // (1, T)
        return cosSin(positions, rope.baseFor(totalLength, headDim), type);
    }

    /**
     * cos and sin, each (B, 1, d), for one new position per sequence: {@code positions[b]}, in a sequence
     * {@code positions[b] + 1} long. Each sequence gets the base of its own length.
     */
    public NDList cosSin(NDManager manager, int[] positions, DataType type) {
        float[] at = new float[positions.length];
        double[] bases = new double[positions.length];
        boolean oneBase = true;
        for (int b = 0; b < positions.length; b++) {
            at[b] = positions[b];
            bases[b] = rope.baseFor(positions[b] + 1, headDim);
            oneBase &= bases[b] == bases[0];
        }
        NDArray rows = manager.create(at).reshape(positions.length, 1); // (B, 1)
        if (oneBase) {
            return cosSin(rows, bases[0], type);
        }
        // Some sequence is past max_position_embeddings under dynamic NTK; the others keep the base of their length.
        float[] perRow = new float[bases.length];
        for (int b = 0; b < bases.length; b++) {
            perRow[b] = (float) bases[b];
        }
        NDArray frequencies = inverseFrequencies(manager, manager.create(perRow).reshape(bases.length, 1, 1));
        return cosSin(rows, frequencies, type); // frequencies (B, 1, d/2)
    }

    /** base^(−2i/d) for i in [0, d/2), in float32 as the official module; {@code bases} broadcasts against (d/2). */
    private NDArray inverseFrequencies(NDManager manager, NDArray bases) {
        NDArray exponents = manager.arange(0, headDim, 2, DataType.FLOAT32).div(headDim); // (d/2)
        return bases.pow(exponents).pow(-1);
    }

    private NDList cosSin(NDArray positions, double base, DataType type) {
        NDManager manager = positions.getManager();
        return cosSin(positions, inverseFrequencies(manager, manager.create((float) base)), type);
    }

    /** cos and sin of positions (...) × inverse frequencies broadcast against (..., d/2), each (..., d). */
    private static NDList cosSin(NDArray positions, NDArray inverseFrequencies, DataType type) {
        NDArray angles = positions.expandDims(-1).mul(inverseFrequencies); // (..., d/2)
        NDArray emb = angles.concat(angles, -1); // (..., d)
        NDArray cos = emb.cos();
        NDArray sin = emb.sin();
        if (type != DataType.FLOAT32) {
            cos = cos.toType(type, false);
            sin = sin.toType(type, false);
        }
        return new NDList(cos, sin);
    }

    /** x·cos + rotateHalf(x)·sin for x (..., T, d) and cos/sin broadcastable to it. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, x.getShape().dimension() - 1);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
