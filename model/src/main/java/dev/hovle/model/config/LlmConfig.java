package dev.hovle.model.config;

/**
 * The InternLM2 language model that reads the holistic module's outputs.
 *
 * @param transformer its decoder layers
 * @param vocabSize rows of the LM head
 * @param bosTokenId beginning-of-sequence id
 * @param eosTokenId end-of-sequence id
 * @param tieWordEmbeddings whether the head shares the token table (HoVLE: no)
 */
public record LlmConfig(TransformerConfig transformer, int vocabSize, int bosTokenId, int eosTokenId,
        boolean tieWordEmbeddings) {

    static LlmConfig parse(JsonFields f) {
        return new LlmConfig(
                TransformerConfig.parse(f),
                f.integer("vocab_size"),
                f.integer("bos_token_id"),
                f.integer("eos_token_id"),
                f.bool("tie_word_embeddings", false));
    }
}
