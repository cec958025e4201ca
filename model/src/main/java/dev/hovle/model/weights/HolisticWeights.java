package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The holistic embedding module's tensors ({@code embedding_model.*}).
 *
 * @param patchWeight Conv2d stem kernel, [C, 3, p, p]
 * @param patchBias Conv2d stem bias, [C]
 * @param positionEmbedding learnt positions, [1, P + 1, C] (row 0 is the unused CLS slot)
 * @param classEmbedding stored but unused at inference, [1, 1, C]
 * @param textEmbeddings the text lookup table actually used, [V, C]
 * @param projectorIn pixel-shuffle projector first linear, [C, 4C]
 * @param projectorInBias its bias, [C]
 * @param projectorOut projector second linear, [C, C]
 * @param projectorOutBias its bias, [C]
 * @param layers the causal decoder layers
 */
public record HolisticWeights(
        NDArray patchWeight,
        NDArray patchBias,
        NDArray positionEmbedding,
        NDArray classEmbedding,
        NDArray textEmbeddings,
        NDArray projectorIn,
        NDArray projectorInBias,
        NDArray projectorOut,
        NDArray projectorOutBias,
        List<DecoderLayerWeights> layers) {

    public HolisticWeights {
        layers = List.copyOf(layers);
    }
}
