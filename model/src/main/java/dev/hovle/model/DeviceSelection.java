package dev.hovle.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Turns the user's device choice into a DJL device, refusing a GPU that is not there (never a silent CPU fallback). */
public final class DeviceSelection {
    private DeviceSelection() {}

    /** {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}. */
    public static Device resolve(String choice) {
        String c = choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("cpu")) {
            return Device.cpu();
        }
        if (c.equals("gpu") || c.startsWith("gpu:")) {
            int index = c.equals("gpu") ? 0 : Integer.parseInt(c.substring(4));
            int available = Engine.getEngine("PyTorch").getGpuCount();
            if (index >= available) {
                throw new IllegalArgumentException("GPU " + index + " was requested but the PyTorch engine sees "
                        + available + " CUDA device" + (available == 1 ? "" : "s") + " (libtorch flavour: "
                        + Engine.getEngine("PyTorch").getVersion() + "); on a GPU host set PYTORCH_FLAVOR=cu128 or "
                        + "PYTORCH_LIBRARY_PATH to a CUDA libtorch, see deploy/GPU.md");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("unknown device '" + choice + "': use cpu, gpu or gpu:N");
    }
}
