package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.hovle.model.cache.KvStore;
import dev.hovle.model.config.TransformerConfig;
import dev.hovle.model.weights.DecoderLayerWeights;
import dev.hovle.model.weights.HostViews;

/** One InternLM2 decoder layer, shared by the holistic module and the LLM: pre-norm attention, pre-norm SwiGLU. */
final class DecoderLayer {
    private DecoderLayer() {}

    /** x (B, T, C) → (B, T, C). */
    static NDArray forward(NDArray x, DecoderLayerWeights w, TransformerConfig t, int layer, NDList rope,
            NDArray mask, KvStore cache, HostViews views) {
        double eps = t.rmsNormEps();
        // x += Wo·Attn(RMSNorm(x))
        NDArray h = x.add(Attention.forward(Ops.rmsNorm(x, w.attentionNorm(), eps), w, t, layer, rope, mask, cache, views));
        // x += W2·(SiLU(W1·n) ⊙ W3·n), n = RMSNorm(x)
        NDArray n = Ops.rmsNorm(h, w.ffnNorm(), eps);
        NDArray gated = Ops.silu(Ops.linear(n, w.w1(), views)).mul(Ops.linear(n, w.w3(), views)); // (B, T, I)
        return h.add(Ops.linear(gated, w.w2(), views));
    }
}
