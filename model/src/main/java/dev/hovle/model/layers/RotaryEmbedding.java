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
     * {@code positions[b] + 1} long.
     */
    public NDList cosSin(NDManager manager, int[] positions, DataType type) {
        float[] at = new float[positions.length];
        int longest = 0;
        for (int b = 0; b < positions.length; b++) {
            at[b] = positions[b];
            longest = Math.max(longest, positions[b] + 1);
        }
        // One base for the whole batch: it only changes past max_position_embeddings, where dynamic NTK cannot be
        // batch-invariant anyway (see the golden README on cached dynamic rotary).
        return cosSin(manager.create(at).reshape(positions.length, 1), rope.baseFor(longest, headDim), type);
    }

    private NDList cosSin(NDArray positions, double base, DataType type) {
        NDManager manager = positions.getManager();
        NDArray exponents = manager.arange(0, headDim, 2, DataType.FLOAT32).div(headDim); // (d/2)
        NDArray inverseFrequencies = manager.create((float) base).pow(exponents).pow(-1); // (d/2)
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
