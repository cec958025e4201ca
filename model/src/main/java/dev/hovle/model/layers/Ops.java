package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.hovle.model.weights.HostMatrix;
import dev.hovle.model.weights.HostViews;

/** The named tensor operations the layers are written in; each maps to one or two libtorch kernels. */
final class Ops {
    private Ops() {}

    /**
     * y = x·Wᵀ for a PyTorch {@code [out, in]} weight. 1..32 rows against a weight the views map from the checkpoint
     * (decode) go through {@link HostGemv}; more rows against a bfloat16 weight (prefill) through libtorch a widened
     * block at a time ({@link WidenedLinear}); everything else, and anything that records gradients, through libtorch.
     */
    static NDArray linear(NDArray x, NDArray weight, HostViews views) {
        HostMatrix host = views.of(weight);
        if (host == null) {
            return Linear.linear(x, weight).singletonOrThrow();
        }
        long rows = x.getShape().size() / host.columns();
        if (HostGemv.takes(host, rows) && x.getDataType() == DataType.FLOAT32 && !x.hasGradient()) {
            float[] y = HostGemv.multiply(x.toFloatArray(), (int) rows, host);
            long[] shape = x.getShape().getShape().clone();
            shape[shape.length - 1] = host.rows();
            return x.getManager().create(y, new Shape(shape));
        }
        return host.isBf16() ? WidenedLinear.linear(x, host) : Linear.linear(x, weight).singletonOrThrow();
    }

    /**
     * Rows of a token table (N, C) for {@code ids}, as float32 in {@code scope}; a bfloat16 table the views hold is
     * read row by row from the mapping. Ids outside the table are refused.
     */
    static NDArray tableRows(NDManager scope, NDArray table, int[] ids, HostViews views) {
        HostMatrix host = views.of(table);
        int size = (int) table.getShape().get(0);
        for (int id : ids) {
            if (id < 0 || id >= size) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + size);
            }
        }
        if (host == null || !host.isBf16()) {
            long[] longs = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                longs[i] = ids[i];
            }
            return gatherRows(table, scope.create(longs));
        }
        int width = host.columns();
        float[] rows = new float[ids.length * width];
        for (int i = 0; i < ids.length; i++) {
            host.readRow(ids[i], rows, i * width);
        }
        return scope.create(rows, new Shape(ids.length, width));
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
