package dev.hovle.tools.bench;

import dev.hovle.pipeline.inference.InferenceJob;
import dev.hovle.pipeline.inference.InferenceKafka;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.FinishReason;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.LocalMetrics;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole inference job on a local MiniCluster and an in-process broker, started once and kept running across
 * rounds: each run produces its requests to Kafka and waits for their results (decode, join, prepare, generate,
 * detokenize, encode, exactly-once sink) to be committed.
 */
final class StreamingPipeline implements AutoCloseable {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);

    private final EmbeddedKafka kafka;
    private final EventProducer producer;
    private final EventReader<VlmResult> reader;
    private final JobClient job;

    private StreamingPipeline(EmbeddedKafka kafka, EventProducer producer, EventReader<VlmResult> reader, JobClient job) {
        this.kafka = kafka;
        this.producer = producer;
        this.reader = reader;
        this.job = job;
    }

    /** Starts the broker and submits the job with the engine settings of the engine alone. */
    static StreamingPipeline open(ServingSettings settings) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("hovle-bench-kafka"));
        try {
            String servers = kafka.bootstrapServers();
            kafka.createTopics(Arrays.stream(Topic.values()).map(Topic::defaultName).toList(), 1);
            Configuration conf = new Configuration();
            conf.set(InferenceOptions.BOOTSTRAP_SERVERS, servers);
            conf.set(InferenceOptions.MODEL_DIR, settings.modelDir().toString());
            conf.set(InferenceOptions.MAX_BATCH, settings.maxBatch());
            conf.set(InferenceOptions.TOKEN_BUDGET, settings.tokenBudget());
            conf.set(InferenceOptions.MAX_NEW_TOKENS, settings.maxNewTokens());
            conf.set(InferenceOptions.MAX_SEQUENCE_LENGTH, settings.maxSequenceLength());
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            LocalMetrics.configure(conf);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            InferenceJob.builder().applyOptions(conf)
                    .setImageSource(InferenceKafka.imageSource(conf)).setRequestSource(InferenceKafka.requestSource(conf))
                    .setResultSink(InferenceKafka.resultSink(conf)).setDeadLetterSink(InferenceKafka.deadLetterSink(conf))
                    .build().addTo(env);
            JobClient job = env.executeAsync("hovle-bench");
            return new StreamingPipeline(kafka, EventProducer.connect(servers),
                    EventReader.open(servers, Topic.RESULTS.defaultName(), VlmResult.class, true), job);
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    /** Produces the requests and times the job on them; their ids must be new to the job. */
    RunFigures run(List<VlmRequest> requests) throws Exception {
        Set<String> ids = new HashSet<>(requests.stream().map(VlmRequest::getRequestId).toList());
        List<VlmResult> results = new ArrayList<>();
        StepCount before = steps();
        // Results carry the job's wall-clock processing time, so the hand-over is taken on the same clock.
        long start = System.currentTimeMillis();
        for (VlmRequest r : requests) {
            producer.send(Topic.REQUESTS.defaultName(), r);
        }
        producer.flush();
        long end = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (results.size() < ids.size()) {
            if (System.nanoTime() > end) {
                throw new TimeoutException(results.size() + " of " + ids.size() + " results after " + RUN_TIMEOUT);
            }
            reader.poll(Duration.ofMillis(100)).stream().map(EventReader.Received::event).filter(Objects::nonNull)
                    .filter(r -> ids.contains(r.getRequestId())).forEach(results::add);
        }
        long[] done = results.stream().mapToLong(r -> r.getProcessingTime().toEpochMilli()).toArray();
        // The result counts the stop token, the engine's token list does not: count both the same way.
        int[] tokens = results.stream().mapToInt(r -> r.getGeneratedTokens()
                - (r.getFinishReason() == FinishReason.STOP ? 1 : 0)).toArray();
        return RunFigures.of("pipeline", start, done, tokens, 1e-3, steps().since(before));
    }

    /** The job's engine counters, read through its gauges; zero before the engine has registered them. */
    private static StepCount steps() {
        double steps = LocalMetrics.max("hovle.engine.decodeSteps", r -> true);
        double mean = LocalMetrics.max("hovle.engine.meanStepMillis", r -> true);
        return Double.isNaN(steps) || Double.isNaN(mean) ? new StepCount(0, 0)
                : new StepCount((long) steps, steps * mean);
    }

    @Override
    public void close() throws Exception {
        try (kafka; producer; reader) {
            job.cancel().get();
        }
    }
}
