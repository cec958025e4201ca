package dev.hovle.model.train;

/**
 * What one optimizer step did.
 *
 * @param step the step's index (0-based)
 * @param loss mean loss over the step's terms (unscaled)
 * @param gradNorm global gradient norm before clipping (infinite or NaN when a loss-scaled step overflowed)
 * @param learningRate the learning rate applied
 * @param samples samples in the step (all micro-batches)
 * @param targets loss terms in the step: labelled tokens, or embedded positions for distillation
 * @param skipped whether the update was skipped because the gradients overflowed
 * @param lossScale the loss scale used (1 without loss scaling)
 */
public record StepResult(long step, double loss, double gradNorm, double learningRate, int samples, long targets,
        boolean skipped, double lossScale) {}
