package dev.hovle.pipeline.inference;

import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.pipeline.hostile.JobRestarts;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The inference job submitted to the test's MiniCluster, reading and writing the in-process broker. */
final class RunningJob implements AutoCloseable {
    private final JobClient client;

    private RunningJob(JobClient client) {
        this.client = client;
    }

    /**
     * Starts the job with {@code options} (bootstrap servers and model dir included); {@code engine} may swap the
     * engine spec, e.g. for a deliberately slow or failing engine.
     */
    static RunningJob start(Configuration options, int parallelism, UnaryOperator<EngineSpec> engine)
            throws Exception {
        Configuration conf = new Configuration(options);
        // Results become visible to read_committed readers at each checkpoint: keep the interval short.
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        InferenceJob.Builder builder = InferenceJob.builder().applyOptions(conf)
                .setImageSource(InferenceKafka.imageSource(conf))
                .setRequestSource(InferenceKafka.requestSource(conf))
                .setResultSink(InferenceKafka.resultSink(conf))
                .setDeadLetterSink(InferenceKafka.deadLetterSink(conf))
                .optModelUpdateSource(InferenceKafka.modelUpdateSource(conf));
        builder.setEngine(engine.apply(builder.build().engine()));
        builder.build().addTo(env);
        return new RunningJob(env.executeAsync("hovle-inference-test"));
    }

    /** Stops the job with a savepoint into {@code dir}: the sinks commit their last transactions first. */
    void stopWithSavepoint(java.nio.file.Path dir) throws Exception {
        client.stopWithSavepoint(false, dir.toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();
    }

    /** How often the job has failed and restarted, on the cluster that {@code clientConfiguration} points to. */
    int restarts(Configuration clientConfiguration) throws Exception {
        return JobRestarts.of(clientConfiguration, client.getJobID());
    }

    /** The job's status right now. */
    String status() throws Exception {
        return client.getJobStatus().get().toString();
    }

    @Override
    public void close() throws Exception {
        if (!client.getJobStatus().get().isGloballyTerminalState()) {
            client.cancel().get();
        }
    }
}
