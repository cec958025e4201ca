package dev.hovle.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Converts between {@code float[]} and {@link FloatTensor}, the wire form of teacher targets, enforcing the contract
 * that the data holds exactly {@code 4 x product(shape)} little-endian float32 bytes in row-major order.
 */
public final class FloatTensors {

    private FloatTensors() {
    }

    /** A tensor of {@code shape} holding {@code values} in row-major order. */
    public static FloatTensor of(float[] values, int... shape) {
        long elements = elementCount(Arrays.stream(shape).boxed().toList());
        if (elements != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements
                    + " values, got " + values.length);
        }
        ByteBuffer data = ByteBuffer.allocate(Float.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return FloatTensor.newBuilder()
                .setShape(Arrays.stream(shape).boxed().toList())
                .setData(data)
                .build();
    }

    /**
     * The tensor's values in row-major order.
     *
     * @throws IllegalArgumentException when the data length does not match the shape, i.e. the record is invalid
     */
    public static float[] values(FloatTensor tensor) {
        long elements = elementCount(tensor.getShape());
        // duplicate(): reading must not move the position of a buffer the record still owns.
        ByteBuffer data = tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (data.remaining() != Float.BYTES * elements) {
            throw new IllegalArgumentException("shape " + tensor.getShape() + " needs " + Float.BYTES * elements
                    + " bytes of float32, got " + data.remaining());
        }
        float[] values = new float[(int) elements];
        data.asFloatBuffer().get(values);
        return values;
    }

    /** Number of values a tensor of {@code shape} holds; 1 for a scalar (empty shape). */
    public static long elementCount(List<Integer> shape) {
        long elements = 1;
        for (int size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shape);
            }
            elements = Math.multiplyExact(elements, size);
        }
        if (elements > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("shape " + shape + " is too large for one record");
        }
        return elements;
    }
}
