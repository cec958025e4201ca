package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay, step for step as {@code torch.optim.AdamW}: the weight
 * first shrinks by {@code lr·wd}, then moves by {@code −lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)}. Moments are float32;
 * each tensor keeps its own step count, because a tensor without a gradient in a step is skipped, as PyTorch skips
 * parameters whose {@code grad} is None.
 */
public final class AdamW implements AutoCloseable {
    private final Config config;
    private final NDManager manager;
    private final Map<String, Moments> moments = new LinkedHashMap<>();

    /**
     * @param beta1 decay of the first moment
     * @param beta2 decay of the second moment
     * @param eps added to the denominator
     * @param weightDecay decoupled decay per unit of learning rate, for tensors that decay
     */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        /** β1 0.9, β2 0.95, ε 1e-8, weight decay 0.01. */
        public static Config defaults() {
            return new Config(0.9, 0.95, 1e-8, 0.01);
        }

        /** The same settings with another weight decay. */
        public Config withWeightDecay(double value) {
            return new Config(beta1, beta2, eps, value);
        }
    }

    /** One tensor's state: first and second moments and its own step count. */
    record Moments(NDArray expAvg, NDArray expAvgSq, long[] step) {}

    /** An optimizer whose moments live in {@code manager} (a sub-manager the optimizer owns and closes). */
    public AdamW(Config config, NDManager manager) {
        this.config = config;
        this.manager = manager;
    }

    /** The settings. */
    public Config config() {
        return config;
    }

    /**
     * Updates the float32 {@code weight} in place from its float32 gradient. Temporaries go to {@code step}, which the
     * weight and the moments are attached to until it closes; call once per tensor and step.
     */
    public void update(NDManager step, String name, NDArray weight, NDArray grad, double lr, boolean decays) {
        Moments m = moments.computeIfAbsent(name, n -> newMoments(weight));
        // Even an in-place op with a scalar creates that scalar in its array's manager: borrow all three for the step.
        weight.tempAttach(step);
        m.expAvg.tempAttach(step);
        m.expAvgSq.tempAttach(step);
        long t = ++m.step[0];
        // Update through a detached view of the same storage: PyTorch refuses in-place ops on a leaf that requires
        // grad while grad mode is on, and grad mode is per thread (on by default in any thread DJL did not start in).
        NDArray data = weight.stopGradient();
        if (decays && config.weightDecay > 0) {
            data.muli(1 - lr * config.weightDecay);
        }
        m.expAvg.muli(config.beta1).addi(grad.mul(1 - config.beta1));
        m.expAvgSq.muli(config.beta2).addi(grad.square().muli(1 - config.beta2));
        double biasCorrection1 = 1 - Math.pow(config.beta1, t);
        double biasCorrection2 = 1 - Math.pow(config.beta2, t);
        NDArray denominator = m.expAvgSq.sqrt().divi(Math.sqrt(biasCorrection2)).addi(config.eps);
        NDArray delta = m.expAvg.div(denominator).muli(lr / biasCorrection1);
        data.subi(delta);
    }

    /** Every tensor's moments, by name: {@code exp_avg}, {@code exp_avg_sq} and the step count. */
    Map<String, Moments> moments() {
        return moments;
    }

    /** Restores one tensor's moments (from a checkpoint); the arrays move into the optimizer's manager. */
    void restore(String name, NDArray expAvg, NDArray expAvgSq, long step) {
        expAvg.attach(manager);
        expAvgSq.attach(manager);
        Moments old = moments.put(name, new Moments(expAvg, expAvgSq, new long[] {step}));
        if (old != null) {
            old.expAvg.close();
            old.expAvgSq.close();
        }
    }

    private Moments newMoments(NDArray weight) {
        return new Moments(manager.zeros(weight.getShape(), DataType.FLOAT32),
                manager.zeros(weight.getShape(), DataType.FLOAT32), new long[] {0});
    }

    @Override
    public void close() {
        manager.close();
    }
}
