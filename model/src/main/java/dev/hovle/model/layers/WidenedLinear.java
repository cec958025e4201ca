package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.hovle.model.weights.HostMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * y = x·Wᵀ for many rows of x (prefill) against a bfloat16 weight that has no float32 copy: W is widened a block of
 * rows at a time into one reused buffer per thread and multiplied there by libtorch's GEMM, so the float32 weight
 * in memory never exceeds one block ({@link #BLOCK_FLOATS}) however large the matrix.
 */
final class WidenedLinear {
    /** Float32 elements of one widened block: 32 MiB, a few of the 2.6b model's rows of 8192 at a time at least. */
    static final int BLOCK_FLOATS = 1 << 23;
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(BLOCK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN));

    private WidenedLinear() {}

    static NDArray linear(NDArray x, HostMatrix w) {
        if (x.hasGradient()) {
            // The widened block is overwritten by the next one: autograd must never keep it.
            throw new IllegalStateException("bfloat16 host weights are for inference; training loads float32 copies");
        }
        int n = w.rows();
        int k = w.columns();
        int blockRows = Math.max(1, Math.min(n, BLOCK_FLOATS / k));
        NDList parts = new NDList();
        for (int row = 0; row < n; row += blockRows) {
            int count = Math.min(blockRows, n - row);
            ByteBuffer block = buffer(count * k);
            HostGemv.widenRows(w, row, count, block);
            try (NDArray widened = x.getManager().create(block, new Shape(count, k), DataType.FLOAT32)) {
                parts.add(Linear.linear(x, widened).singletonOrThrow());
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray y = NDArrays.concat(parts, -1);
        parts.forEach(NDArray::close);
        return y;
    }

    /** A little-endian buffer of exactly {@code floats} float32s: this thread's block, or its own for a wider row. */
    private static ByteBuffer buffer(int floats) {
        ByteBuffer whole = floats <= BLOCK_FLOATS ? SCRATCH.get().duplicate()
                : ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES));
        return whole.clear().limit(floats * Float.BYTES).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
