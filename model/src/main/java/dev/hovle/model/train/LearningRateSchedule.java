package dev.hovle.model.train;

/**
 * Linear warm-up to the peak learning rate, then a cosine decay to {@code minRatio × peak} at the last step.
 *
 * @param peak the largest learning rate, reached at the end of warm-up
 * @param warmupSteps optimizer steps of linear warm-up
 * @param totalSteps optimizer steps of the whole run
 * @param minRatio the final learning rate as a fraction of the peak
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {

    public LearningRateSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps <= 0 || minRatio < 0 || minRatio > 1) {
            throw new IllegalArgumentException("invalid schedule: peak " + peak + ", warm-up " + warmupSteps
                    + ", total " + totalSteps + ", min ratio " + minRatio);
        }
    }

    /** A constant learning rate. */
    public static LearningRateSchedule constant(double lr) {
        return new LearningRateSchedule(lr, 0, 1, 1);
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps - 1);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
