package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
     * cos and sin, each (T, d), for the positions {@code start .. start + count - 1} of a sequence that is
     * {@code totalLength} long (which selects the dynamic NTK base).
     */
    public NDList cosSin(NDManager manager, int start, int count, int totalLength, DataType type) {
        NDArray positions = manager.arange(start, start + count, 1, DataType.FLOAT32); // (T)
        return cosSin(positions, totalLength, type);
    }

    /** cos and sin, each (..., d), for arbitrary float32 positions (one row per position). */
    public NDList cosSin(NDArray positions, int totalLength, DataType type) {
        NDManager manager = positions.getManager();
        double base = rope.baseFor(totalLength, headDim);
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

    /** x·cos + rotateHalf(x)·sin for x (B, heads, T, d) and cos/sin (T, d) or (B, 1, T, d). */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().getLastDimension() / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
