package dev.hovle.tools.bench;

/**
 * The GGML tensor types a GGUF file may name (ids from the GGUF specification). Only the plain float types have a
 * per-element width; the block-quantized and integer types are named so that a refusal can say which one it met.
 */
public enum GgufType {
    F32(0, 4), F16(1, 2), BF16(30, 2),
    Q4_0(2), Q4_1(3), Q5_0(6), Q5_1(7), Q8_0(8), Q8_1(9), Q2_K(10), Q3_K(11), Q4_K(12), Q5_K(13), Q6_K(14),
    Q8_K(15), IQ2_XXS(16), IQ2_XS(17), IQ3_XXS(18), IQ1_S(19), IQ4_NL(20), IQ3_S(21), IQ2_S(22), IQ4_XS(23),
    I8(24), I16(25), I32(26), I64(27), F64(28), IQ1_M(29), TQ1_0(34), TQ2_0(35);

    private final int id;
    private final int elementBytes;

    GgufType(int id) {
        this(id, 0);
    }

    GgufType(int id, int elementBytes) {
        this.id = id;
        this.elementBytes = elementBytes;
    }

    /** The type with this on-disk id. */
    static GgufType ofId(int id) throws GgufException {
        for (GgufType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new GgufException("unknown GGML tensor type id " + id + " (corrupt file, or a type newer than this reader)");
    }

    /** The on-disk id. */
    public int id() {
        return id;
    }

    /** Whether an element has a fixed width this comparison counts (F32, F16, BF16). */
    public boolean isPlainFloat() {
        return elementBytes > 0;
    }

    /** Bytes per element of a plain float type. */
    public int elementBytes() {
        if (!isPlainFloat()) {
            throw new IllegalStateException(this + " has no per-element width");
        }
        return elementBytes;
    }
}
