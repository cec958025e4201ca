package dev.hovle.tools.bench;

/**
 * One tensor-info entry of a GGUF header.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param dims dimensions in GGML order: {@code dims[0]} is the contiguous one (a matrix row's length)
 * @param type element type
 * @param offset where its data starts, relative to the aligned start of the data section
 */
public record GgufTensor(String name, long[] dims, GgufType type, long offset) {

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Bytes of data; refuses any type that is not a plain float (F32, F16, BF16). */
    public long byteSize() throws GgufException {
        return elementCount() * plainFloat().elementBytes();
    }

    /** Bytes of one row (the contiguous dimension), as a lookup into a table reads. */
    public long rowBytes() throws GgufException {
        return dims[0] * plainFloat().elementBytes();
    }

    private GgufType plainFloat() throws GgufException {
        if (!type.isPlainFloat()) {
            throw new GgufException("tensor '" + name + "' is " + type + ": quantized and integer types are refused, "
                    + "because the comparison counts bytes of F32, F16 or BF16 weights only");
        }
        return type;
    }
}
