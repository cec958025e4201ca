package dev.hovle.model;

/** What loaded weights are for. */
public enum WeightMode {
    /** Read-only: the weights' native memory is sealed, so a temporary that would attach to it fails loudly. */
    INFERENCE,
    /** Updated in place by an optimizer, with gradients attached to the weights. */
    TRAINING
}
