package dev.hovle.tools.bench;

/**
 * An engine's running step count and step time: read before and after a round, the difference is the round's share
 * of an engine that stays up across rounds.
 *
 * @param steps steps run
 * @param stepMillis their total time
 */
record StepCount(long steps, double stepMillis) {

    /** What was run since {@code before}. */
    StepCount since(StepCount before) {
        return new StepCount(steps - before.steps, stepMillis - before.stepMillis);
    }

    /** Mean step time; NaN when no step ran. */
    double meanStepMillis() {
        return steps == 0 ? Double.NaN : stepMillis / steps;
    }
}
