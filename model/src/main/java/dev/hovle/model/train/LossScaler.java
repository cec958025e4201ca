package dev.hovle.model.train;

/**
 * Dynamic loss scaling for float16 training, with the policy of PyTorch's {@code GradScaler}: the loss is multiplied
 * by the scale before backward; a step whose gradients overflow is skipped and halves the scale; every
 * {@code growthInterval} clean steps in a row double it.
 *
 * @param scale the current multiplier (1 when scaling is off)
 * @param cleanSteps finite steps since the last change
 * @param growthInterval clean steps before the scale grows; 0 turns scaling off
 */
public record LossScaler(double scale, int cleanSteps, int growthInterval) {
    /** The initial scale of PyTorch's GradScaler. */
    public static final double INITIAL_SCALE = 65536;

    /** No scaling: float32 training. */
    public static LossScaler off() {
        return new LossScaler(1, 0, 0);
    }

    /** Dynamic scaling from 2^16, growing after 2000 clean steps. */
    public static LossScaler dynamic() {
        return new LossScaler(INITIAL_SCALE, 0, 2000);
    }

    /** Whether the scale adapts. */
    public boolean enabled() {
        return growthInterval > 0;
    }

    /** The scaler after a step whose gradients were all finite ({@code finite}) or not. */
    public LossScaler after(boolean finite) {
        if (!enabled()) {
            return this;
        }
        if (!finite) {
            return new LossScaler(Math.max(scale / 2, 1.0 / (1 << 24)), 0, growthInterval);
        }
        return cleanSteps + 1 >= growthInterval ? new LossScaler(scale * 2, 0, growthInterval)
                : new LossScaler(scale, cleanSteps + 1, growthInterval);
    }
}
