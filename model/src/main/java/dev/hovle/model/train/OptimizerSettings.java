package dev.hovle.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.HoVLEModel;
import java.io.Serializable;
import java.util.Locale;

/**
 * How a model learns: the stage, the batch shape, the learning-rate schedule, AdamW and clipping. The one settings
 * type of the command line ({@code hovle train}), the training job's options and the trainer; saved with every
 * checkpoint, so a resumed run continues with exactly the same schedule and batch shape.
 *
 * @param stage the stage trained
 * @param lastLlmLayers for {@link Stage.Kind#INSTRUCTION}, how many of the last LLM layers learn with the holistic
 *     module (−1: the whole model)
 * @param batchSize samples per micro-batch
 * @param accumulation micro-batches per optimizer step
 * @param peakLr learning rate after warm-up
 * @param warmupSteps linear warm-up steps
 * @param scheduleSteps steps of the cosine decay (for {@code hovle train}, the whole run); later steps hold the
 *     final rate
 * @param minLrRatio final over peak learning rate
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm clipping threshold (0: off)
 * @param visionLrScale the vision path ({@link TrainableParameter#isVisionPath}) learns at this times the schedule's
 *     learning rate (1: as everything else)
 */
public record OptimizerSettings(Stage.Kind stage, int lastLlmLayers, int batchSize, int accumulation, double peakLr,
        int warmupSteps, int scheduleSteps, double minLrRatio, double weightDecay, double maxGradNorm,
        double visionLrScale) implements Serializable {

    public OptimizerSettings {
        if (stage == null) {
            throw new IllegalArgumentException("stage is required; known: distillation, alignment, instruction");
        }
        if (scheduleSteps <= 0 || batchSize <= 0 || accumulation <= 0) {
            throw new IllegalArgumentException("schedule steps, batch size and accumulation must be positive: "
                    + scheduleSteps + ", " + batchSize + ", " + accumulation);
        }
        if (!(visionLrScale >= 0) || Double.isInfinite(visionLrScale)) {
            throw new IllegalArgumentException("vision learning-rate scale must be finite and >= 0: " + visionLrScale);
        }
    }

    /** Samples per optimizer step. */
    public int samplesPerStep() {
        return batchSize * accumulation;
    }

    /** The stage for a model with {@code llmLayers} LLM layers. */
    public Stage toStage(int llmLayers) {
        return stage.forModel(llmLayers, lastLlmLayers);
    }

    /** The learning-rate schedule. */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(peakLr, warmupSteps, scheduleSteps, minLrRatio);
    }

    /**
     * A trainer builder for {@code model} with this stage, schedule, clipping, weight decay and vision learning-rate
     * scale (add a loss scaler if wanted, then build).
     */
    public Trainer.Builder trainer(HoVLEModel model) {
        Trainer.Builder b = Trainer.builder().setModel(model)
                .setStage(toStage(model.config().llm().transformer().numLayers())).setSchedule(schedule())
                .optMaxGradNorm(maxGradNorm).optOptimizer(AdamW.Config.defaults().withWeightDecay(weightDecay));
        return visionLrScale == 1 ? b : b.optLearningRateScale(TrainableParameter::isVisionPath, visionLrScale);
    }

    /** The same settings over a schedule of {@code steps} (a resumed run that goes further). */
    public OptimizerSettings withScheduleSteps(int steps) {
        return new OptimizerSettings(stage, lastLlmLayers, batchSize, accumulation, peakLr, warmupSteps, steps,
                minLrRatio, weightDecay, maxGradNorm, visionLrScale);
    }

    void write(ObjectNode node) {
        node.put("stage", stage.name().toLowerCase(Locale.ROOT)).put("last_llm_layers", lastLlmLayers)
                .put("steps", scheduleSteps).put("batch_size", batchSize).put("accumulation", accumulation)
                .put("peak_lr", peakLr).put("warmup_steps", warmupSteps).put("min_lr_ratio", minLrRatio)
                .put("weight_decay", weightDecay).put("max_grad_norm", maxGradNorm)
                .put("vision_lr_scale", visionLrScale);
    }

    static OptimizerSettings read(JsonNode node) {
        return new OptimizerSettings(Stage.Kind.named(node.path("stage").asText()),
                node.path("last_llm_layers").asInt(-1), node.path("batch_size").asInt(),
                node.path("accumulation").asInt(1), node.path("peak_lr").asDouble(), node.path("warmup_steps").asInt(),
                node.path("steps").asInt(), node.path("min_lr_ratio").asDouble(), node.path("weight_decay").asDouble(),
                node.path("max_grad_norm").asDouble(), node.path("vision_lr_scale").asDouble(1));
    }
}
