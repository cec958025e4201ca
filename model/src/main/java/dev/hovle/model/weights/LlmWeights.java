package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The InternLM2 language model's tensors ({@code language_model.*}).
 *
 * @param tokEmbeddings stored, unused at inference (HoVLE feeds the LLM the holistic outputs), [V, C]
 * @param layers the decoder layers
 * @param norm final RMSNorm weight, [C]
 * @param output the untied LM head, [V, C]
 */
public record LlmWeights(NDArray tokEmbeddings, List<DecoderLayerWeights> layers, NDArray norm, NDArray output) {

    public LlmWeights {
        layers = List.copyOf(layers);
    }
}
