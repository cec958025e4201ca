package dev.hovle.model.generate;

/** Picks the next token from one position's logits. Implementations are per request and not shared. */
public interface Sampler {

    /** Returns the chosen token id; may reorder or overwrite {@code logits}. */
    int sample(float[] logits);

    /** The sampler for a request's parameters: greedy at temperature 0, else seeded top-k / top-p sampling. */
    static Sampler of(SamplingParams params) {
        if (params.temperature() <= 0) {
            return new GreedySampler();
        }
        return new RandomSampler(params.temperature(), params.topK(), params.topP(), params.seed());
    }
}
