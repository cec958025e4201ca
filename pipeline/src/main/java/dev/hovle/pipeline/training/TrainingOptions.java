package dev.hovle.pipeline.training;

import dev.hovle.model.train.OptimizerSettings;
import dev.hovle.model.train.Stage;
import dev.hovle.operators.training.PrepareSamplesFunction;
import dev.hovle.schemas.Topic;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The settings of the training job that the inference job does not share, as typed Flink options. The Kafka
 * cluster, topics of updates and dead letters, and the model ({@code hovle.model.dir}, {@code .version},
 * {@code .name}) use the same keys as {@link dev.hovle.pipeline.inference.InferenceOptions}, so one configuration
 * file serves both jobs.
 */
public final class TrainingOptions {
    private TrainingOptions() {}

    public static final ConfigOption<String> SAMPLES_TOPIC = ConfigOptions.key("hovle.topics.samples")
            .stringType().defaultValue(Topic.SAMPLES.defaultName()).withDescription("Topic of TrainingSamples.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("hovle.training.group-id")
            .stringType().defaultValue("hovle-training")
            .withDescription("Consumer group of the training job (offsets live in its Flink checkpoints; the group "
                    + "shows progress in Kafka's tools).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions
            .key("hovle.training.transactional-id-prefix").stringType().defaultValue("hovle-training")
            .withDescription("Prefix of the training job's Kafka transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions
            .key("hovle.training.checkpoint-interval").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("Flink checkpoint interval when the cluster sets none. Each checkpoint that follows "
                    + "training steps writes the weights and optimizer state to the model store, and commits the "
                    + "updates published since the last one.");


    public static final ConfigOption<Stage.Kind> STAGE = ConfigOptions.key("hovle.training.stage")
            .enumType(Stage.Kind.class).defaultValue(Stage.Kind.INSTRUCTION)
            .withDescription("Stage trained: DISTILLATION, ALIGNMENT (LLM frozen) or INSTRUCTION. Samples of other "
                    + "stages are skipped and counted.");

    public static final ConfigOption<Integer> MAX_SEQUENCE_LENGTH = ConfigOptions
            .key("hovle.training.max-sequence-length").intType()
            .defaultValue(PrepareSamplesFunction.DEFAULT_MAX_SEQUENCE_LENGTH)
            .withDescription("Longest sample in positions (prompt, image tokens and answer; the HD sequence in post "
                    + "placement) the trainer accepts; longer ones become PROMPT_TOO_LONG dead letters, since a step's "
                    + "memory grows with the square of the length.");

    public static final ConfigOption<Integer> LAST_LLM_LAYERS = ConfigOptions.key("hovle.training.last-llm-layers")
            .intType().defaultValue(-1)
            .withDescription("INSTRUCTION only: train the holistic module and this many of the last LLM layers; -1 "
                    + "trains everything.");

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("hovle.training.batch-size")
            .intType().defaultValue(16).withDescription("Samples per micro-batch.");

    public static final ConfigOption<Integer> ACCUMULATION = ConfigOptions.key("hovle.training.accumulation")
            .intType().defaultValue(1).withDescription("Micro-batches per optimizer step.");

    public static final ConfigOption<Double> LEARNING_RATE = ConfigOptions.key("hovle.training.learning-rate")
            .doubleType().defaultValue(1e-3).withDescription("Peak learning rate, reached after warm-up.");

    public static final ConfigOption<Integer> WARMUP_STEPS = ConfigOptions.key("hovle.training.warmup-steps")
            .intType().defaultValue(20).withDescription("Linear warm-up steps.");

    public static final ConfigOption<Integer> SCHEDULE_STEPS = ConfigOptions.key("hovle.training.schedule-steps")
            .intType().defaultValue(2000)
            .withDescription("Steps of the cosine decay after warm-up; later steps keep the final rate.");

    public static final ConfigOption<Double> MIN_LR_RATIO = ConfigOptions.key("hovle.training.min-lr-ratio")
            .doubleType().defaultValue(0.1).withDescription("Final learning rate as a fraction of the peak.");

    public static final ConfigOption<Double> WEIGHT_DECAY = ConfigOptions.key("hovle.training.weight-decay")
            .doubleType().defaultValue(0.01).withDescription("AdamW's decoupled weight decay.");

    public static final ConfigOption<Double> MAX_GRAD_NORM = ConfigOptions.key("hovle.training.max-grad-norm")
            .doubleType().defaultValue(1.0).withDescription("Clip gradients to this global norm; 0 turns it off.");

    public static final ConfigOption<Integer> VERSION_INTERVAL = ConfigOptions.key("hovle.training.version-interval")
            .intType().defaultValue(100)
            .withDescription("Optimizer steps between candidate versions (each is scored, stored and judged).");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("hovle.training.threads")
            .intType().defaultValue(0)
            .withDescription("PyTorch intra-op threads the trainer sets when it starts; 0 leaves the TaskManager "
                    + "process's setting. The setting is per process and an inference engine on the same TaskManager "
                    + "changes it; a float sum's order follows it, so pin it for a resumed run to compute exactly as "
                    + "an uninterrupted one.");

    public static final ConfigOption<Integer> EVAL_SAMPLES = ConfigOptions.key("hovle.training.eval-samples")
            .intType().defaultValue(64)
            .withDescription("Held-out (EVAL) samples the gate scores every version on: the first ones to arrive. "
                    + "No version is proposed before this many have arrived; later EVAL samples are counted and "
                    + "not used.");

    public static final ConfigOption<Double> GATE_MAX_LOSS_INCREASE = ConfigOptions
            .key("hovle.gate.max-loss-increase").doubleType().defaultValue(0.0)
            .withDescription("How much higher a candidate's eval loss may be than the serving version's, relative "
                    + "(0.02 = 2%), and still be promoted.");

    public static final ConfigOption<Double> GATE_MAX_ACCURACY_DROP = ConfigOptions
            .key("hovle.gate.max-accuracy-drop").doubleType().defaultValue(0.0)
            .withDescription("How much lower a candidate's exact-match eval accuracy may be, absolute (0.01 = one "
                    + "point), and still be promoted; only where the stage generates answers.");

    /** How the trainer learns, from the options above. */
    public static OptimizerSettings optimizer(ReadableConfig config) {
        return new OptimizerSettings(config.get(STAGE), config.get(LAST_LLM_LAYERS), config.get(BATCH_SIZE),
                config.get(ACCUMULATION), config.get(LEARNING_RATE), config.get(WARMUP_STEPS), config.get(SCHEDULE_STEPS),
                config.get(MIN_LR_RATIO), config.get(WEIGHT_DECAY), config.get(MAX_GRAD_NORM), 1);
    }
}
