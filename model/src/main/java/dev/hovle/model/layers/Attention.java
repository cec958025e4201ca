package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.cache.KvStore;
import dev.hovle.model.config.TransformerConfig;
import dev.hovle.model.weights.DecoderLayerWeights;
import dev.hovle.model.weights.HostViews;

/**
 * Causal grouped-query attention from InternLM2's packed {@code wqkv}.
 *
 * <p>Dimension letters used in the shape comments of this package: B batch, T positions of this step, S positions
 * attended (cached plus new), C model width, H query heads, K key/value heads, G = H/K query heads per KV head,
 * d head width.
 *
 * <p>The packed weight's rows form K groups of (G + 2)·d: G query heads, then the group's key head, then its value
 * head. Query head h reads KV head h / G. Instead of repeating keys and values G times, the G query heads of a
 * group are folded into the row axis so each group is one matmul against its own keys.
 */
final class Attention {
    private Attention() {}

    /**
     * @param x normalised input (B, T, C)
     * @param rope cos and sin for the T new positions, (B or 1, T, d) each
     * @param mask additive mask (B or 1, 1, 1, T, S)
     * @param cache where this step's keys and values go and earlier ones come from; null for a cache-free forward
     *     over exactly these T positions
     */
    static NDArray forward(NDArray x, DecoderLayerWeights w, TransformerConfig t, int layer, NDList rope,
            NDArray mask, KvStore cache, HostViews views) {
        Shape in = x.getShape();
        long b = in.get(0);
        long n = in.get(1);
        int k = t.numKvHeads();
        int g = t.queriesPerKvHead();
        int d = t.headDim();

        // Split the packed projection into query, key and value heads.
        NDList parts = Ops.linear(x, w.wqkv(), views).reshape(b, n, k, g + 2, d) // (B, T, K, G+2, d)
                .split(new long[] {g, g + 1}, 3);
        NDArray q = parts.get(0).transpose(0, 2, 3, 1, 4); // (B, K, G, T, d)
        NDArray key = parts.get(1).reshape(b, n, k, d).transpose(0, 2, 1, 3); // (B, K, T, d)
        NDArray value = parts.get(2).reshape(b, n, k, d).transpose(0, 2, 1, 3); // (B, K, T, d)

        // Rotate queries and keys by their absolute positions.
        NDArray cos = rope.get(0).expandDims(1); // (B, 1, T, d)
        NDArray sin = rope.get(1).expandDims(1);
        q = RotaryEmbedding.apply(q, cos.expandDims(1), sin.expandDims(1));
        key = RotaryEmbedding.apply(key, cos, sin);

        // Attend over everything cached so far plus this step.
        if (cache != null) {
            NDArray[] kv = cache.append(layer, key, value);
            key = kv[0]; // (B, K, S, d)
            value = kv[1];
        }
        NDArray scores = Scalars.div(q.reshape(b, k, g * n, d).matMul(key.transpose(0, 1, 3, 2)), Math.sqrt(d))
                .reshape(b, k, g, n, -1) // (B, K, G·T, S) → (B, K, G, T, S)
                .add(mask);
        NDArray probs = Ops.softmaxFloat32(scores, x.getDataType()).reshape(b, k, g * n, -1);
        NDArray heads = probs.matMul(value).reshape(b, k * g, n, d); // (B, H, T, d)

        // Concatenate heads and project back to the model width.
        return Ops.linear(heads.transpose(0, 2, 1, 3).reshape(b, n, (long) k * g * d), w.wo(), views); // (B, T, C)
    }
}
