package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import dev.hovle.model.cache.KvCache;
import dev.hovle.model.config.LlmConfig;
import dev.hovle.model.weights.HostViews;
import dev.hovle.model.weights.LlmWeights;

/** The InternLM2 language model over input embeddings: decoder layers, final RMSNorm, untied LM head. */
public final class LanguageModel {
    private final LlmConfig config;
    private final LlmWeights weights;
    private final HostViews views;
    private final DecoderStack stack;

    /** The language model over {@code weights}; {@code views} hold the bytes of those the decode kernel may read. */
    public LanguageModel(LlmConfig config, LlmWeights weights, HostViews views) {
        this.config = config;
        this.weights = weights;
        this.views = views;
        this.stack = new DecoderStack(config.transformer(), weights.layers(), views);
    }

    /** The LLM's decoder layers. */
    public DecoderStack stack() {
        return stack;
    }

    /** Final hidden states (B, T, C) after the layers and the final norm. */
    public NDArray hidden(NDArray inputsEmbeds, KvCache cache, DecoderStack.LayerObserver observer) {
        return finalNorm(stack.forward(inputsEmbeds, cache, observer));
    }

    /** The final RMSNorm, (..., C) → (..., C). */
    public NDArray finalNorm(NDArray x) {
        return Ops.rmsNorm(x, weights.norm(), config.transformer().rmsNormEps());
    }

    /** Logits (..., V) of final hidden states (..., C). */
    public NDArray logits(NDArray hidden) {
        return Ops.linear(hidden, weights.output(), views);
    }
}
