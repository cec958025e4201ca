package dev.hovle.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.HoVLEModel;

/**
 * The settings a training run starts with; saved with every checkpoint so a resumed run continues with exactly the
 * same schedule, data order and batch shape.
 *
 * @param stage distillation, alignment or instruction
 * @param lastLlmLayers for instruction tuning, how many of the last LLM layers learn (−1: the whole model)
 * @param data {@code shapes} or the data folder
 * @param seed seed of the data order (and of the shapes dataset and the synthetic teacher)
 * @param steps optimizer steps of the whole run
 * @param batchSize samples per micro-batch
 * @param accumulation micro-batches per optimizer step
 * @param peakLr peak learning rate
 * @param warmupSteps warm-up steps
 * @param minLrRatio final learning rate over the peak
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm clipping threshold (0: off)
 * @param curriculumSteps for {@code shapes}, the first steps see pictures of one shape only (0: none)
 * @param visionLrScale the vision path ({@link TrainableParameter#isVisionPath}) learns at this times the schedule's
 *     learning rate (1: as everything else)
 */
public record RunSettings(String stage, int lastLlmLayers, String data, long seed, int steps, int batchSize,
        int accumulation, double peakLr, int warmupSteps, double minLrRatio, double weightDecay, double maxGradNorm,
        int curriculumSteps, double visionLrScale) {

    public RunSettings {
        if (steps <= 0 || batchSize <= 0 || accumulation <= 0) {
            throw new IllegalArgumentException("steps, batch size and accumulation must be positive: " + steps + ", "
                    + batchSize + ", " + accumulation);
        }
        if (!(visionLrScale >= 0) || Double.isInfinite(visionLrScale)) {
            throw new IllegalArgumentException("vision learning-rate scale must be finite and >= 0: " + visionLrScale);
        }
    }

    /**
     * A trainer builder for {@code model} with these settings' stage, schedule, clipping, weight decay and vision
     * learning-rate scale (add a loss scaler if wanted, then build).
     */
    public Trainer.Builder trainer(HoVLEModel model) {
        Trainer.Builder b = Trainer.builder().setModel(model)
                .setStage(toStage(model.config().llm().transformer().numLayers())).setSchedule(schedule())
                .optMaxGradNorm(maxGradNorm).optOptimizer(AdamW.Config.defaults().withWeightDecay(weightDecay));
        return visionLrScale == 1 ? b : b.optLearningRateScale(TrainableParameter::isVisionPath, visionLrScale);
    }

    /** The stage these settings name, for a model with {@code llmLayers} LLM layers. */
    public Stage toStage(int llmLayers) {
        if (stage.equals("instruction") && lastLlmLayers >= 0) {
            return InstructionTuning.holisticAndLastLayers(llmLayers, lastLlmLayers);
        }
        return Stage.named(stage);
    }

    /** Training samples the curriculum covers. */
    public long curriculumSamples() {
        return (long) curriculumSteps * batchSize * accumulation;
    }

    /** The learning-rate schedule over the run. */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(peakLr, warmupSteps, steps, minLrRatio);
    }

    /** The same settings for a run of {@code total} steps (a resumed run that goes further). */
    public RunSettings withSteps(int total) {
        return new RunSettings(stage, lastLlmLayers, data, seed, total, batchSize, accumulation, peakLr, warmupSteps,
                minLrRatio, weightDecay, maxGradNorm, curriculumSteps, visionLrScale);
    }

    void write(ObjectNode node) {
        node.put("stage", stage).put("last_llm_layers", lastLlmLayers).put("data", data).put("seed", seed)
                .put("steps", steps).put("batch_size", batchSize).put("accumulation", accumulation)
                .put("peak_lr", peakLr).put("warmup_steps", warmupSteps).put("min_lr_ratio", minLrRatio)
                .put("weight_decay", weightDecay).put("max_grad_norm", maxGradNorm)
                .put("curriculum_steps", curriculumSteps).put("vision_lr_scale", visionLrScale);
    }

    static RunSettings read(JsonNode node) {
        return new RunSettings(node.path("stage").asText(), node.path("last_llm_layers").asInt(-1),
                node.path("data").asText(), node.path("seed").asLong(), node.path("steps").asInt(),
                node.path("batch_size").asInt(), node.path("accumulation").asInt(1), node.path("peak_lr").asDouble(),
                node.path("warmup_steps").asInt(), node.path("min_lr_ratio").asDouble(),
                node.path("weight_decay").asDouble(), node.path("max_grad_norm").asDouble(),
                node.path("curriculum_steps").asInt(), node.path("vision_lr_scale").asDouble(1));
    }
}
