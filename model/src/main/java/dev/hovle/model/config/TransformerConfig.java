package dev.hovle.model.config;

/**
 * Shape of one stack of InternLM2 decoder layers: the holistic embedding module and the LLM share this form.
 *
 * @param hiddenSize model width C
 * @param numHeads query heads H
 * @param numKvHeads key/value heads K (grouped-query attention when K &lt; H)
 * @param intermediateSize SwiGLU width I
 * @param numLayers decoder layers
 * @param rmsNormEps epsilon inside RMSNorm's square root
 * @param rope rotary settings
 */
public record TransformerConfig(
        int hiddenSize,
        int numHeads,
        int numKvHeads,
        int intermediateSize,
        int numLayers,
        double rmsNormEps,
        RopeConfig rope) {

    public TransformerConfig {
        if (hiddenSize <= 0 || numHeads <= 0 || numKvHeads <= 0 || intermediateSize <= 0 || numLayers <= 0) {
            throw new ConfigException("transformer sizes must be positive: hidden " + hiddenSize + ", heads " + numHeads
                    + ", kv heads " + numKvHeads + ", intermediate " + intermediateSize + ", layers " + numLayers);
        }
        if (hiddenSize % numHeads != 0) {
            throw new ConfigException("hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new ConfigException("num_attention_heads " + numHeads + " is not divisible by num_key_value_heads "
                    + numKvHeads);
        }
    }

    /** Per-head width d = C / H. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Query heads sharing one key/value head (H / K). */
    public int queriesPerKvHead() {
        return numHeads / numKvHeads;
    }

    /** Rows of the packed {@code wqkv} weight: (H + 2K) · d. */
    public int packedQkvRows() {
        return (numHeads + 2 * numKvHeads) * headDim();
    }

    static TransformerConfig parse(JsonFields f) {
        int heads = f.integer("num_attention_heads");
        return new TransformerConfig(
                f.integer("hidden_size"),
                heads,
                f.integer("num_key_value_heads", heads),
                f.integer("intermediate_size"),
                f.integer("num_hidden_layers"),
                f.number("rms_norm_eps"),
                RopeConfig.parse(f));
    }
}
