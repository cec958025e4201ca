package dev.hovle.operators.serving;

import ai.djl.ndarray.types.DataType;

/** The dtype the model computes in; float32 is the fast CPU path, float16 halves GPU memory. */
public enum ComputePrecision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16);

    private final DataType dataType;

    ComputePrecision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The DJL data type. */
    public DataType dataType() {
        return dataType;
    }
}
