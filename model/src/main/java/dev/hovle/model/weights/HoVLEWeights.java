package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Map;

/**
 * Every tensor of a HoVLE checkpoint, bound to its place in the model and kept by its released name.
 *
 * @param embedding the holistic embedding module
 * @param llm the language model
 * @param byName every tensor under its checkpoint name, in checkpoint order (for saving and for training)
 * @param hostViews the file bytes behind the read-only matrices, for the decode kernel
 */
public record HoVLEWeights(HolisticWeights embedding, LlmWeights llm, Map<String, NDArray> byName,
        HostViews hostViews) {

    public HoVLEWeights {
        byName = Collections.unmodifiableMap(byName);
    }

    /** Total elements over all tensors. */
    public long parameterCount() {
        return byName.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }
}
