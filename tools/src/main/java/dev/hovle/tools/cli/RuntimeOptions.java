package dev.hovle.tools.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.DeviceSelection;
import picocli.CommandLine.Option;

/** Where and how the model computes: device, dtype and CPU threads, shared by the commands that run it. */
final class RuntimeOptions {

    /** Compute dtypes. */
    enum ComputeDtype { f32, f16 }

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "f32", description = "compute dtype: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    ComputeDtype dtype;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads on the CPU (default "
            + "${DEFAULT-VALUE}: on this 2-core machine one thread measured faster than two)")
    int threads;

    @Option(names = "--prefill-threads", defaultValue = "0", description = "CPU threads for prefill chunks in the "
            + "batching engine (default ${DEFAULT-VALUE}: same as --threads)")
    int prefillThreads;

    /** Applies the thread count; call before the engine first loads. */
    void applyThreads() {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    Device resolveDevice() {
        return DeviceSelection.resolve(device);
    }

    DataType dataType() {
        return dtype == ComputeDtype.f16 ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
