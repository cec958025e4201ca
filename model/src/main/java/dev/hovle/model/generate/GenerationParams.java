package dev.hovle.model.generate;

import java.util.Arrays;

/**
 * When generation stops and how tokens are chosen.
 *
 * @param maxNewTokens most tokens to generate
 * @param stopTokens ids that end generation (HoVLE's chat template stops at {@code <|im_end|>}); not emitted
 * @param sampling greedy or seeded sampling
 */
public record GenerationParams(int maxNewTokens, int[] stopTokens, SamplingParams sampling) {

    public GenerationParams {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, found " + maxNewTokens);
        }
        stopTokens = stopTokens.clone();
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at any of {@code stopTokens}. */
    public static GenerationParams greedy(int maxNewTokens, int... stopTokens) {
        return new GenerationParams(maxNewTokens, stopTokens, SamplingParams.GREEDY);
    }

    /** Whether {@code token} ends generation. */
    public boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationParams p && p.maxNewTokens == maxNewTokens && Arrays.equals(p.stopTokens, stopTokens)
                && p.sampling.equals(sampling);
    }

    @Override
    public int hashCode() {
        return maxNewTokens * 31 + Arrays.hashCode(stopTokens) + sampling.hashCode();
    }

    @Override
    public String toString() {
        return "GenerationParams[max " + maxNewTokens + ", stop " + Arrays.toString(stopTokens) + ", " + sampling + "]";
    }
}
