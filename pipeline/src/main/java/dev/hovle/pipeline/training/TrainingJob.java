package dev.hovle.pipeline.training;

import static dev.hovle.pipeline.training.TrainingOptions.CHECKPOINT_INTERVAL;
import static dev.hovle.pipeline.training.TrainingOptions.EVAL_SAMPLES;
import static dev.hovle.pipeline.training.TrainingOptions.GATE_MAX_ACCURACY_DROP;
import static dev.hovle.pipeline.training.TrainingOptions.GATE_MAX_LOSS_INCREASE;
import static dev.hovle.pipeline.training.TrainingOptions.MAX_SEQUENCE_LENGTH;
import static dev.hovle.pipeline.inference.InferenceOptions.STORE_URI;
import static dev.hovle.pipeline.training.TrainingOptions.VERSION_INTERVAL;

import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.training.ModelGate;
import dev.hovle.operators.training.PrepareSamplesFunction;
import dev.hovle.operators.training.PreparedSample;
import dev.hovle.operators.training.TrainerFunction;
import dev.hovle.operators.training.TrainerSpec;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.job.JobConfiguration;
import dev.hovle.pipeline.job.RequiredParts;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ModelUpdate;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The continuous training job: samples in, gated model versions out.
 *
 * <pre>
 * samples -> prepare (decode, tile, template, labels; parallel) -+-> trainer (parallelism 1: steps, held-out set,
 *            \-> dead letters                                 |   versions to the model store, the gate's verdicts)
 * model updates (an operator's rollbacks) ---------------------+   -> model updates (exactly once)
 * </pre>
 *
 * <p>The inference job follows the updates topic and serves what the gate promotes. Like {@link
 * dev.hovle.pipeline.inference.InferenceJob}, the job receives its ends, so tests and the local runtime can give it
 * any source and sink; {@link TrainingKafka} builds the production ones.
 *
 * <pre>{@code
 * TrainingJob.onKafka(config).build().addTo(env);   // or builder() with any sources and sinks
 * }</pre>
 */
public final class TrainingJob {
    private final Builder b;

    private TrainingJob(Builder b) {
        this.b = b;
    }

    /**
     * Runs the job on a cluster with its Kafka ends; options come from the cluster's configuration and from
     * {@code --key value} arguments, e.g. {@code --hovle.model.dir /models/hovle --hovle.store.uri s3://models/hovle}.
     */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = JobConfiguration.apply(env, args, c -> c.get(CHECKPOINT_INTERVAL));
        onKafka(conf).build().addTo(env);
        env.execute("hovle-training");
    }

    /** A builder; the four ends and the trainer are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with every setting from {@code config} and the production Kafka ends it names. */
    public static Builder onKafka(ReadableConfig config) {
        return builder().applyOptions(config).setSampleSource(TrainingKafka.sampleSource(config))
                .setModelUpdateSource(TrainingKafka.modelUpdateSource(config))
                .setUpdateSink(TrainingKafka.updateSink(config)).setDeadLetterSink(TrainingKafka.deadLetterSink(config));
    }

    /** What the trainer is configured with. */
    public TrainerSpec trainer() {
        return b.trainer;
    }

    /** Adds the job's operators to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<PreparedSample> prepared = env
                .fromSource(b.sampleSource, WatermarkStrategy.noWatermarks(), "samples").uid("samples-source")
                .rebalance()
                .process(new PrepareSamplesFunction(b.trainer.modelDir(), b.trainer.stage(), b.imageLimits,
                        b.recordAttempts, b.maxSequenceLength))
                .name("prepare samples").uid("prepare-samples");
        if (b.prepareParallelism != null) {
            prepared.setParallelism(b.prepareParallelism);
        }
        // One trainer owns the weights: its state (resume point, pending and held-out samples) is not rescalable.
        DataStream<SourceRecord> followed = env.fromSource(b.modelUpdateSource, WatermarkStrategy.noWatermarks(),
                "model updates").uid("model-updates-source").setParallelism(1);
        SingleOutputStreamOperator<ModelUpdate> updates = prepared.global().connect(followed.global())
                .process(new TrainerFunction(b.trainer)).name("trainer").uid("trainer")
                .setParallelism(1).setMaxParallelism(1);
        updates.sinkTo(b.updateSink).name("updates sink").uid("updates-sink").setParallelism(1);
        prepared.getSideOutput(DeadLetters.TAG).sinkTo(b.deadLetterSink).name("dead-letter sink")
                .uid("dead-letter-sink");
    }

    /** Builds a {@link TrainingJob}. */
    public static final class Builder {
        private Source<SourceRecord, ?, ?> sampleSource;
        private Source<SourceRecord, ?, ?> modelUpdateSource;
        private Sink<ModelUpdate> updateSink;
        private Sink<DeadLetter> deadLetterSink;
        private TrainerSpec trainer;
        private Integer prepareParallelism;
        private ImageLimits imageLimits = ImageLimits.DEFAULTS;
        private RecordAttempts.Settings recordAttempts = RecordAttempts.Settings.DEFAULTS;
        private int maxSequenceLength = PrepareSamplesFunction.DEFAULT_MAX_SEQUENCE_LENGTH;

        private Builder() {}

        /** The trainer from {@code config}: model, store, stage, optimiser, versions and gate (not the ends). */
        public Builder applyOptions(ReadableConfig config) {
            String dir = config.getOptional(InferenceOptions.MODEL_DIR).orElseThrow(() -> new IllegalArgumentException(
                    "set " + InferenceOptions.MODEL_DIR.key() + " to the snapshot training starts from"));
            String store = config.getOptional(STORE_URI).orElseThrow(() -> new IllegalArgumentException(
                    "set " + STORE_URI.key() + " to the model store's URI (a directory both jobs can read)"));
            String root = config.getOptional(InferenceOptions.MODEL_VERSION)
                    .orElse(Path.of(dir).getFileName().toString());
            trainer = new TrainerSpec(config.get(InferenceOptions.MODEL_NAME), Path.of(dir).toAbsolutePath().toString(),
                    root, store, TrainingOptions.optimizer(config), config.get(VERSION_INTERVAL), config.get(EVAL_SAMPLES),
                    new ModelGate(config.get(GATE_MAX_LOSS_INCREASE), config.get(GATE_MAX_ACCURACY_DROP)),
                    config.get(TrainingOptions.THREADS));
            prepareParallelism = config.getOptional(InferenceOptions.PREPARE_PARALLELISM).orElse(null);
            imageLimits = InferenceOptions.imageLimits(config);
            recordAttempts = InferenceOptions.recordAttempts(config);
            maxSequenceLength = config.get(MAX_SEQUENCE_LENGTH);
            return this;
        }

        /** Raw records of the samples topic (required). */
        public Builder setSampleSource(Source<SourceRecord, ?, ?> value) {
            this.sampleSource = value;
            return this;
        }

        /** Raw records of the model-updates topic from its start, for operators' rollbacks (required). */
        public Builder setModelUpdateSource(Source<SourceRecord, ?, ?> value) {
            this.modelUpdateSource = value;
            return this;
        }

        /** Where model updates go (required; exactly-once for the production job). */
        public Builder setUpdateSink(Sink<ModelUpdate> value) {
            this.updateSink = value;
            return this;
        }

        /** Where dead letters go (required). */
        public Builder setDeadLetterSink(Sink<DeadLetter> value) {
            this.deadLetterSink = value;
            return this;
        }

        /** What to train and how (required, or from {@link #applyOptions}). */
        public Builder setTrainer(TrainerSpec value) {
            this.trainer = value;
            return this;
        }

        /** How large a sample's images may be, and how many (default {@link ImageLimits#DEFAULTS}). */
        public Builder optImageLimits(ImageLimits value) {
            this.imageLimits = value;
            return this;
        }

        /** Where subtasks count the failures each sample was in flight for, and when it is set aside. */
        public Builder optRecordAttempts(RecordAttempts.Settings value) {
            this.recordAttempts = value;
            return this;
        }

        /** Longest sample in positions the trainer accepts (default 4096). */
        public Builder optMaxSequenceLength(int value) {
            this.maxSequenceLength = value;
            return this;
        }

        /** Parallel subtasks that prepare samples (default: the job's parallelism). */
        public Builder optPrepareParallelism(int value) {
            this.prepareParallelism = value;
            return this;
        }

        public TrainingJob build() {
            new RequiredParts().require(sampleSource, "setSampleSource")
                    .require(modelUpdateSource, "setModelUpdateSource").require(updateSink, "setUpdateSink")
                    .require(deadLetterSink, "setDeadLetterSink").require(trainer, "setTrainer (or applyOptions)")
                    .check("TrainingJob", "TrainingKafka builds the Kafka ends from the options");
            return new TrainingJob(this);
        }
    }
}
