package dev.hovle.model.weights;

import ai.djl.ndarray.types.DataType;

/** Element types a safetensors file may hold, with their on-disk names and widths. */
public enum TensorDtype {
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /** Never handed to DJL as is: DJL 0.35.1 aborts the JVM on any bfloat16 array, so it is widened in Java. */
    BF16(2, null),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType djlType;

    TensorDtype(int bytes, DataType djlType) {
        this.bytes = bytes;
        this.djlType = djlType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The DJL type holding this dtype without conversion; null for BF16. */
    DataType djlType() {
        return djlType;
    }

    static TensorDtype parse(String name, String tensor) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new WeightException("tensor '" + tensor + "' has unsupported dtype " + name);
        }
    }

    /** The safetensors dtype of a DJL array type (for writing). */
    public static TensorDtype of(DataType type) {
        for (TensorDtype d : values()) {
            if (d.djlType == type) {
                return d;
            }
        }
        throw new WeightException("no safetensors dtype for " + type);
    }
}
