package dev.hovle.operators.serving;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import java.io.Serializable;

/**
 * Builds the generation engine that serves a loaded model. Implementations are value objects (records): equal
 * factories share one engine per TaskManager, so every subtask's deserialized copy finds the same engine.
 *
 * <pre>{@code
 * EngineFactory batching = EngineFactory.continuousBatching(8, 256, 2048);
 * }</pre>
 */
public interface EngineFactory extends Serializable {

    /** A new engine over {@code model}; closing the engine must not close the model (the holder does). */
    GenerationEngine create(HoVLEModel model, String modelVersion);

    /** Most requests the engine runs at once: sizes the async operator's capacity and batch occupancy. */
    int maxConcurrency();

    /** Continuous batching: {@code maxBatch} sequences decode together, a step runs at most {@code tokenBudget} positions. */
    static EngineFactory continuousBatching(int maxBatch, int tokenBudget, int maxSequenceLength) {
        return new ContinuousBatchingFactory(maxBatch, tokenBudget, maxSequenceLength);
    }

    /** One request at a time, in arrival order. */
    static EngineFactory sequential() {
        return new SequentialFactory();
    }
}
