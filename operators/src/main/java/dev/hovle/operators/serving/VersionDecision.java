package dev.hovle.operators.serving;

/** What one model update means for serving. */
public sealed interface VersionDecision {

    /** Switch serving to {@code target}. */
    record Serve(ServingTarget target) implements VersionDecision {}

    /** Nothing changes: the update was remembered or is not for this job; {@code why} says which. */
    record Keep(String why) implements VersionDecision {}

    /** The update asks for something this job will not do; it becomes a MODEL_UPDATE_REFUSED dead letter. */
    record Refuse(String why) implements VersionDecision {}
}
