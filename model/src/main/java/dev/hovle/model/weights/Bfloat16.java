package dev.hovle.model.weights;

/** bfloat16, the top half of a float32: widening is a 16-bit shift, narrowing rounds to nearest even. */
public final class Bfloat16 {
    private Bfloat16() {}

    /** float32 to bfloat16 with round-to-nearest-even, as PyTorch's {@code .to(torch.bfloat16)}; NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float32 a bfloat16 stands for (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
