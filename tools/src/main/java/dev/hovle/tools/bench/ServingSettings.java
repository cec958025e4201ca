package dev.hovle.tools.bench;

import dev.hovle.pipeline.inference.InferenceOptions;
import java.nio.file.Path;

/**
 * The model and the engine settings both sides of the pipeline benchmark share.
 *
 * @param modelDir the snapshot
 * @param maxBatch sequences decoded together
 * @param tokenBudget most positions a step runs
 * @param maxNewTokens generation length limit (greedy)
 */
public record ServingSettings(Path modelDir, int maxBatch, int tokenBudget, int maxNewTokens) {

    public ServingSettings {
        modelDir = modelDir.toAbsolutePath();
    }

    /** The job's own default, so the engine alone runs with the same context limit as the job's engine. */
    int maxSequenceLength() {
        return InferenceOptions.MAX_SEQUENCE_LENGTH.defaultValue();
    }
}
