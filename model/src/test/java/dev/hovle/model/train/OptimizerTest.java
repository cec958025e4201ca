package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    @Test
    void stepsLikeTorchAdamWWithDecoupledDecay() {
        double lr = 0.1;
        AdamW.Config config = new AdamW.Config(0.9, 0.99, 1e-8, 0.1);
        double[][] grads = {{0.5, 0.1}, {-0.2, 0.3}, {0.05, -0.4}};
        double[] expected = {1.0, -2.0};
        double[] m = new double[2];
        double[] v = new double[2];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < 2; i++) {
                double g = grads[t - 1][i];
                expected[i] *= 1 - lr * config.weightDecay();
                m[i] = config.beta1() * m[i] + (1 - config.beta1()) * g;
                v[i] = config.beta2() * v[i] + (1 - config.beta2()) * g * g;
                double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(config.beta2(), t)) + config.eps();
                expected[i] -= lr / (1 - Math.pow(config.beta1(), t)) * m[i] / denominator;
            }
        }
        try (NDManager root = NDManager.newBaseManager("PyTorch"); AdamW adam = new AdamW(config, root.newSubManager())) {
            NDManager weights = root.newSubManager();
            NDArray w = weights.create(new float[] {1f, -2f});
            for (double[] g : grads) {
                try (NDManager step = root.newSubManager()) {
                    adam.update(step, "w", w, step.create(new float[] {(float) g[0], (float) g[1]}), lr, true);
                }
            }
            float[] got = w.toFloatArray();
            assertThat((double) got[0]).isCloseTo(expected[0], within(1e-6));
            assertThat((double) got[1]).isCloseTo(expected[1], within(1e-6));
            assertThat(weights.getManagedArrays()).hasSize(1);
        }
    }

    @Test
    void warmsUpLinearlyThenDecaysAlongACosine() {
        LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 10, 110, 0.1);
        assertThat(schedule.at(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(schedule.at(9)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.at(10)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.at(60)).isCloseTo(1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI * 50 / 99.0)), within(1e-12));
        assertThat(schedule.at(109)).isCloseTo(1e-4, within(1e-12));
        assertThat(schedule.at(500)).isCloseTo(1e-4, within(1e-12));
    }

    @Test
    void halvesTheScaleOnOverflowAndGrowsItAfterCleanSteps() {
        LossScaler scaler = new LossScaler(1024, 0, 3);
        assertThat(scaler.after(false).scale()).isEqualTo(512);
        LossScaler grown = scaler.after(true).after(true).after(true);
        assertThat(grown.scale()).isEqualTo(2048);
        assertThat(grown.cleanSteps()).isZero();
        assertThat(LossScaler.off().after(false).scale()).isEqualTo(1);
    }
}
