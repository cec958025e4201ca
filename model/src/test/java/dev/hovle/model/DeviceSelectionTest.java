package dev.hovle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {

    @Test
    void choosesTheCpu() {
        assertThat(DeviceSelection.resolve("cpu")).isEqualTo(Device.cpu());
    }

    @Test
    void refusesAGpuThatIsNotThereInsteadOfFallingBackToTheCpu() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        assertThatThrownBy(() -> DeviceSelection.resolve("gpu:" + gpus))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GPU " + gpus + " was requested but the PyTorch engine sees " + gpus + " CUDA device");
    }

    @Test
    void refusesAnUnknownDeviceName() {
        assertThatThrownBy(() -> DeviceSelection.resolve("tpu")).hasMessageContaining("unknown device 'tpu'");
    }
}
