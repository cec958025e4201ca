package dev.hovle.model.snapshot;

import dev.hovle.model.weights.Bfloat16;
import dev.hovle.model.weights.SafetensorsWriter;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.model.weights.WeightLoader.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

/**
 * Seeded random initial values for a fresh snapshot, streamed straight to disk: norms at 1, biases at 0, every
 * other tensor uniform with standard deviation 0.02 (InternLM2's initializer range). Each tensor has its own
 * stream derived from the seed and its name, so values do not depend on write order.
 */
final class RandomWeights {
    private static final double STD = 0.02;
    private static final int CHUNK = 1 << 16;

    private RandomWeights() {}

    static SafetensorsWriter.Entry entry(TensorSpec spec, TensorDtype dtype, long seed) {
        return new SafetensorsWriter.Entry(spec.name(), dtype, spec.shape(),
                channel -> write(channel, spec, dtype, seed ^ spec.name().hashCode() * 0x9E3779B97F4A7C15L));
    }

    private static void write(WritableByteChannel channel, TensorSpec spec, TensorDtype dtype, long seed)
            throws IOException {
        String name = spec.name();
        boolean norm = name.endsWith("norm.weight");
        boolean bias = name.endsWith(".bias");
        double halfWidth = STD * Math.sqrt(3); // uniform(-a, a) has standard deviation a / sqrt(3)
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        long remaining = spec.elementCount();
        while (remaining > 0) {
            int n = (int) Math.min(CHUNK, remaining);
            buffer.clear();
            for (int i = 0; i < n; i++) {
                float value = norm ? 1f : bias ? 0f : (float) ((random.nextDouble() * 2 - 1) * halfWidth);
                switch (dtype) {
                    case F32 -> buffer.putFloat(value);
                    case BF16 -> buffer.putShort(Bfloat16.fromFloat(value));
                    default -> throw new IllegalArgumentException("snapshots are written as F32 or BF16, not " + dtype);
                }
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            remaining -= n;
        }
    }
}
