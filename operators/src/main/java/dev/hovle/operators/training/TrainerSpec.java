package dev.hovle.operators.training;

import dev.hovle.model.train.OptimizerSettings;
import dev.hovle.model.train.RunSettings;
import dev.hovle.model.train.Stage;
import dev.hovle.schemas.TrainingStage;
import java.io.Serializable;

/**
 * Everything the trainer operator is configured with: the model line it trains, how it learns, how often it
 * proposes a version, the gate, and where versions are stored.
 *
 * @param modelName the model line; the key of its updates
 * @param modelDir the snapshot training starts from (a local directory)
 * @param rootVersion the version name of that snapshot, the parent of the first candidate
 * @param storeUri where checkpoints go (any Flink FileSystem URI)
 * @param optimizer the stage (samples of other stages are skipped), batch shape, schedule and optimizer
 * @param versionInterval optimizer steps between candidate versions
 * @param evalSamples held-out samples the gate scores every version on (the first ones to arrive)
 * @param gate the promotion rule
 * @param threads PyTorch intra-op threads of the trainer's TaskManager, or 0 to leave the process's setting
 */
public record TrainerSpec(String modelName, String modelDir, String rootVersion, String storeUri,
        OptimizerSettings optimizer, int versionInterval, int evalSamples, ModelGate gate, int threads)
        implements Serializable {

    public TrainerSpec {
        if (versionInterval < 1 || evalSamples < 1 || threads < 0) {
            throw new IllegalArgumentException("version interval and eval samples must be positive, threads not "
                    + "negative: " + versionInterval + ", " + evalSamples + ", " + threads);
        }
    }

    /** The stage as training samples and model updates name it. */
    public TrainingStage stage() {
        return stageOf(optimizer.stage());
    }

    /** {@code kind} as training samples and model updates name it. */
    public static TrainingStage stageOf(Stage.Kind kind) {
        return TrainingStage.valueOf(kind.name());
    }

    /** The settings saved with every checkpoint: these optimizer settings over the streamed data. */
    public RunSettings runSettings() {
        return new RunSettings(optimizer, "stream", 0, 0);
    }
}
