package dev.hovle.model.weights;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name tensor name
 * @param dtype element type
 * @param shape dimensions
 * @param begin first byte, relative to the start of the data section
 * @param end byte past the last, relative to the start of the data section
 */
public record TensorInfo(String name, TensorDtype dtype, long[] shape, long begin, long end) {

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes the data section must hold for this tensor. */
    public long byteLength() {
        return end - begin;
    }

    /** The shape written as in PyTorch, e.g. {@code [64, 3, 14, 14]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeText();
    }
}
