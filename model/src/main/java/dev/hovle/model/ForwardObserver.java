package dev.hovle.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees the intermediate tensors of a forward pass, named as in the official code's outputs; parity checks and
 * debugging use it. Every method defaults to doing nothing, and nothing it receives may be kept past the call.
 */
public interface ForwardObserver {
    ForwardObserver NONE = new ForwardObserver() {};

    /** Conv patches plus positions, (T, P, C). */
    default void visionEmbeddings(NDArray x) {}

    /** Pixel-shuffled, projected image tokens, (T·P/4, C). */
    default void imageTokensProjected(NDArray x) {}

    /** The sequence entering the first holistic layer, (1, N_e, C). */
    default void holisticInput(NDArray x) {}

    /** Output of holistic layer {@code layer}, (1, N_e, C). */
    default void holisticLayerOutput(int layer, NDArray x) {}

    /** The LLM's input embeddings, (1, N, C). */
    default void llmInput(NDArray x) {}

    /** Output of LLM layer {@code layer}, (1, N, C). */
    default void llmLayerOutput(int layer, NDArray x) {}

    /** The final-norm output of the LLM, (1, N, C). */
    default void llmFinalHidden(NDArray x) {}
}
