package dev.hovle.pipeline.inference;

import dev.hovle.operators.inference.EngineSpec;
import dev.hovle.pipeline.kafka.InferenceKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
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

    /**
     * How often the job has restarted, from the JobManager's {@code numRestarts} metric over the REST API of the
     * cluster that {@code clientConfiguration} (a MiniClusterExtension's) points to.
     */
    long restarts(Configuration clientConfiguration) throws Exception {
        URI uri = URI.create("http://" + clientConfiguration.get(RestOptions.ADDRESS) + ":"
                + clientConfiguration.get(RestOptions.PORT) + "/jobs/" + client.getJobID() + "/metrics?get=numRestarts");
        HttpClient http = HttpClient.newHttpClient();
        // The metric appears once the JobManager's metric fetcher has run: wait for it rather than read "no value".
        for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < end; ) {
            String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher value = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"").matcher(body);
            if (value.find()) {
                return Long.parseLong(value.group(1));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no numRestarts metric for job " + client.getJobID() + " at " + uri);
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
