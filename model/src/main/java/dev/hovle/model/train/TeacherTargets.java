package dev.hovle.model.train;

/** Where distillation's image-token targets come from: a teacher's features for each image token of a sample. */
@FunctionalInterface
public interface TeacherTargets {
    /** Targets (image tokens of the LLM sequence, C) row-major, in the order the tokens appear. */
    float[] imageTargets(EncodedSample sample);
}
