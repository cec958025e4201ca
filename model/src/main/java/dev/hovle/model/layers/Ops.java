package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.hovle.model.weights.HostViews;
import java.nio.ByteBuffer;

/** The named tensor operations the layers are written in; each maps to one or two libtorch kernels. */
final class Ops {
    private Ops() {}

    /**
     * y = x·Wᵀ for a PyTorch {@code [out, in]} weight. 2..32 rows against a memory-mapped weight (batched decode) go
     * through {@link HostGemv} when {@code views} hold its bytes; everything else, and anything that records
     * gradients, through libtorch.
     */
    static NDArray linear(NDArray x, NDArray weight, HostViews views) {
        ByteBuffer host = HostGemv.available() ? views.of(weight) : null;
        long k = weight.getShape().get(1);
        long rows = x.getShape().size() / k;
        if (host != null && rows >= HostGemv.MIN_ROWS && rows <= HostGemv.MAX_ROWS && x.getDataType() == DataType.FLOAT32
                && !x.hasGradient()) {
            int n = (int) weight.getShape().get(0);
            float[] y = HostGemv.multiply(x.toFloatArray(), (int) rows, host, n, (int) k);
            long[] shape = x.getShape().getShape().clone();
            shape[shape.length - 1] = n;
            return x.getManager().create(y, new Shape(shape));
        }
        return Linear.linear(x, weight).singletonOrThrow();
    }

    /** y = x·Wᵀ + b. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** InternLM2 RMSNorm: the mean of squares in float32, then back to the input type before the weight. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        DataType type = x.getDataType();
        NDArray x32 = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normed = x32.mul(Scalars.pow(Scalars.add(variance, eps), -0.5));
        return (type == DataType.FLOAT32 ? normed : normed.toType(type, false)).mul(weight);
    }

    /** SiLU(x) = x·σ(x) (not {@code Activation.swish}, whose β is a scalar autograd would read freed: {@link Scalars}). */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** GELU in its exact (erf) form, as {@code nn.GELU()}. */
    static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** Rows of {@code table} picked by integer {@code ids}: an embedding lookup, differentiable in the table. */
    static NDArray gatherRows(NDArray table, NDArray ids) {
        return table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Softmax over the last axis computed in float32 and returned in {@code type}, as the official eager path. */
    static NDArray softmaxFloat32(NDArray scores, DataType type) {
        NDArray s32 = scores.getDataType() == DataType.FLOAT32 ? scores : scores.toType(DataType.FLOAT32, false);
        NDArray p = s32.softmax(-1);
        return type == DataType.FLOAT32 ? p : p.toType(type, false);
    }

    /** The most negative finite value of a type: the additive mask for positions a query may not see. */
    static float maskValue(DataType type) {
        return type == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
    }
}
