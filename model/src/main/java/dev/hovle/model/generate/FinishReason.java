package dev.hovle.model.generate;

/** Why a generation ended. */
public enum FinishReason {
    /** A stop token was produced. */
    STOP,
    /** The maximum number of new tokens was reached. */
    LENGTH,
    /** The caller cancelled the request. */
    CANCELLED,
    /** The request's deadline passed. */
    DEADLINE
}
