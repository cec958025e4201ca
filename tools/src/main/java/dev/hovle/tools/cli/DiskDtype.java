package dev.hovle.tools.cli;

import dev.hovle.model.weights.TensorDtype;

/** The dtypes a snapshot's weights are written in, as the command line names them. */
enum DiskDtype {
    f32(TensorDtype.F32),
    bf16(TensorDtype.BF16);

    private final TensorDtype tensorDtype;

    DiskDtype(TensorDtype tensorDtype) {
        this.tensorDtype = tensorDtype;
    }

    TensorDtype tensorDtype() {
        return tensorDtype;
    }
}
