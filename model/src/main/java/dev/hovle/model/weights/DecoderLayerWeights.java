package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;

/**
 * One InternLM2 decoder layer's tensors, PyTorch {@code [out, in]} layout.
 *
 * @param attentionNorm RMSNorm weight before attention, [C]
 * @param wqkv packed query/key/value projection, [(H + 2K)·d, C]
 * @param wo attention output projection, [C, C]
 * @param ffnNorm RMSNorm weight before the feed-forward block, [C]
 * @param w1 SwiGLU gate projection, [I, C]
 * @param w3 SwiGLU up projection, [I, C]
 * @param w2 SwiGLU down projection, [C, I]
 */
public record DecoderLayerWeights(
        NDArray attentionNorm, NDArray wqkv, NDArray wo, NDArray ffnNorm, NDArray w1, NDArray w3, NDArray w2) {}
