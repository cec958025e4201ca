package dev.hovle.model.generate;

/**
 * A finished generation.
 *
 * @param tokens generated ids, stop token excluded
 * @param finishReason why it ended
 * @param promptTokens length of the LLM prompt
 * @param timings where the time went
 * @param modelVersion the model version that produced the tokens
 */
public record GenerationResult(int[] tokens, FinishReason finishReason, int promptTokens, GenerationTimings timings,
        String modelVersion) {}
