package dev.hovle.model.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A read-only row-major matrix in host memory, float32 or bfloat16 little-endian: in practice a mapping of the
 * checkpoint file that the CPU kernels read without a copy.
 *
 * @param bytes exactly {@code rows × columns} elements, read with absolute indices only
 * @param dtype {@link TensorDtype#F32} or {@link TensorDtype#BF16}
 */
public record HostMatrix(ByteBuffer bytes, TensorDtype dtype, int rows, int columns) {

    public HostMatrix {
        if (dtype != TensorDtype.F32 && dtype != TensorDtype.BF16) {
            throw new IllegalArgumentException("host matrices are F32 or BF16, not " + dtype);
        }
        if ((long) rows * columns * dtype.bytes() != bytes.capacity()) {
            throw new IllegalArgumentException(rows + "x" + columns + " " + dtype + " needs "
                    + (long) rows * columns * dtype.bytes() + " bytes, the buffer holds " + bytes.capacity());
        }
        bytes = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether the elements are bfloat16. */
    public boolean isBf16() {
        return dtype == TensorDtype.BF16;
    }

    /** Element (row, column) as float32. */
    public float get(int row, int column) {
        long index = (long) row * columns + column;
        return isBf16() ? Bfloat16.toFloat(bytes.getShort(Math.toIntExact(index * 2)))
                : bytes.getFloat(Math.toIntExact(index * 4));
    }

    /** Row {@code row} as float32 into {@code out[offset, offset + columns)}. */
    public void readRow(int row, float[] out, int offset) {
        int base = Math.multiplyExact(row, columns);
        if (isBf16()) {
            for (int c = 0; c < columns; c++) {
                out[offset + c] = Bfloat16.toFloat(bytes.getShort((base + c) * 2));
            }
        } else {
            for (int c = 0; c < columns; c++) {
                out[offset + c] = bytes.getFloat((base + c) * 4);
            }
        }
    }
}
