package dev.hovle.operators.serving;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.GenerationEngine;

/** Builds a {@link ContinuousBatchingEngine} with a fixed batch policy. */
record ContinuousBatchingFactory(int maxBatch, int tokenBudget, int maxSequenceLength) implements EngineFactory {

    ContinuousBatchingFactory {
        if (maxBatch < 1 || tokenBudget <= maxBatch || maxSequenceLength < 2) {
            throw new IllegalArgumentException("batch policy needs max batch >= 1, token budget > max batch and max "
                    + "sequence length >= 2; found " + maxBatch + ", " + tokenBudget + ", " + maxSequenceLength);
        }
    }

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        // The sequence length may not exceed the model's context; clamp rather than refuse a small model.
        int length = Math.min(maxSequenceLength, model.config().maxContextLength());
        return ContinuousBatchingEngine.builder().setModel(model).optModelVersion(modelVersion).optMaxBatch(maxBatch)
                .optTokenBudget(tokenBudget).optMaxSequenceLength(length).build();
    }

    @Override
    public int maxConcurrency() {
        return maxBatch;
    }
}
