package dev.hovle.model.train;

/**
 * Where a run stands, everything beyond weights and moments that an exact resume needs.
 *
 * @param step optimizer steps taken (skipped float16 overflow steps included)
 * @param samplesSeen training samples consumed: the position in the seeded data order
 * @param scaler the float16 loss scaler
 */
public record TrainerState(long step, long samplesSeen, LossScaler scaler) {
    /** The state of a fresh run. */
    public static TrainerState initial(LossScaler scaler) {
        return new TrainerState(0, 0, scaler);
    }
}
