package dev.hovle.operators.training;

import dev.hovle.model.train.RunSettings;
import dev.hovle.schemas.TrainingStage;
import java.io.Serializable;
import java.util.Locale;

/**
 * Everything the trainer operator is configured with: the model line it trains, the stage and optimiser settings,
 * how often it proposes a version, the gate, and where versions are stored.
 *
 * @param modelName the model line; the key of its updates
 * @param modelDir the snapshot training starts from (a local directory)
 * @param rootVersion the version name of that snapshot, the parent of the first candidate
 * @param storeUri where checkpoints go (any Flink FileSystem URI)
 * @param stage the stage trained; samples of other stages are skipped
 * @param lastLlmLayers for INSTRUCTION, how many of the last LLM layers learn with the holistic module (−1: all)
 * @param batchSize samples per micro-batch
 * @param accumulation micro-batches per optimizer step
 * @param peakLr learning rate after warm-up
 * @param warmupSteps warm-up steps
 * @param scheduleSteps steps of the cosine decay; later steps hold the final rate
 * @param minLrRatio final over peak learning rate
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm clipping threshold (0: none)
 * @param versionInterval optimizer steps between candidate versions
 * @param evalSamples held-out samples the gate scores every version on (the first ones to arrive)
 * @param gate the promotion rule
 */
public record TrainerSpec(String modelName, String modelDir, String rootVersion, String storeUri, TrainingStage stage,
        int lastLlmLayers, int batchSize, int accumulation, double peakLr, int warmupSteps, int scheduleSteps,
        double minLrRatio, double weightDecay, double maxGradNorm, int versionInterval, int evalSamples,
        ModelGate gate) implements Serializable {

    public TrainerSpec {
        if (batchSize < 1 || accumulation < 1 || versionInterval < 1 || evalSamples < 1) {
            throw new IllegalArgumentException("batch size, accumulation, version interval and eval samples must be "
                    + "positive: " + batchSize + ", " + accumulation + ", " + versionInterval + ", " + evalSamples);
        }
    }

    /** Samples per optimizer step. */
    public int samplesPerStep() {
        return batchSize * accumulation;
    }

    /** The settings saved with every checkpoint (and the stage and schedule they imply). */
    public RunSettings runSettings() {
        return new RunSettings(stage.name().toLowerCase(Locale.ROOT), lastLlmLayers, "stream", 0, scheduleSteps,
                batchSize, accumulation, peakLr, warmupSteps, minLrRatio, weightDecay, maxGradNorm, 0, 1);
    }
}
