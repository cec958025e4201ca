package dev.hovle.tools.bench;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.EngineStats;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.operators.inference.VlmRequests;
import dev.hovle.operators.serving.EngineFactory;
import dev.hovle.pipeline.inference.InferenceJob;
import dev.hovle.pipeline.inference.InferenceKafka;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.FinishReason;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.LocalMetrics;
import dev.hovle.testkit.SyntheticImages;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job's throughput against its engine alone, on the same requests with the same batch policy: the
 * engine run gets every prompt prepared beforehand and all requests at once; the pipeline run gets the same
 * requests already waiting in Kafka and does everything itself (decode, join, prepare, generate, detokenize,
 * encode, exactly-once sink). Both rates are measured between the first and the last completed request, so model
 * loading and job start-up are left out of both.
 */
public final class PipelineBenchmark {
    private final Path modelDir;
    private final int maxBatch;
    private final int tokenBudget;
    private final int maxNewTokens;

    /**
     * One measured run.
     *
     * @param what engine or pipeline
     * @param requests requests completed
     * @param tokens tokens generated after the first completion
     * @param seconds from the first to the last completion
     * @param steps engine steps run (fewer, fuller batches are better)
     * @param meanStepMillis their mean time (longer when other work competes for the cores)
     */
    public record Figures(String what, int requests, long tokens, double seconds, long steps, double meanStepMillis) {
        /** Requests completed per second. */
        public double requestsPerSecond() {
            return (requests - 1) / seconds;
        }

        /** Generated tokens per second. */
        public double tokensPerSecond() {
            return tokens / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-9s %6d requests %8.2f s %9.2f req/s %9.1f tok/s %7d steps %7.2f ms/step",
                    what, requests, seconds, requestsPerSecond(), tokensPerSecond(), steps, meanStepMillis);
        }
    }

    /** A benchmark of the snapshot in {@code modelDir} at a batch policy and generation length. */
    public PipelineBenchmark(Path modelDir, int maxBatch, int tokenBudget, int maxNewTokens) {
        this.modelDir = modelDir.toAbsolutePath();
        this.maxBatch = maxBatch;
        this.tokenBudget = tokenBudget;
        this.maxNewTokens = maxNewTokens;
    }

    /** {@code count} caption requests, each with its own drawn image inline. */
    public static List<VlmRequest> requests(int count, long seed) {
        SyntheticImages images = new SyntheticImages(seed);
        List<VlmRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(VlmRequest.newBuilder().setRequestId(String.format(Locale.ROOT, "bench-%05d", i))
                    .setTask(Task.CAPTION).setEventTime(Instant.now())
                    .setImages(List.of(InlineImage.newBuilder().setMediaType("image/png")
                            .setData(ByteBuffer.wrap(images.next(96, 72).data())).build()))
                    .build());
        }
        return out;
    }

    /** The engine alone: prompts prepared first, then every request submitted at once. */
    public Figures engine(List<VlmRequest> requests) throws Exception {
        HoVLEConfig config = HoVLEConfig.read(modelDir);
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(modelDir);
                HoVLEModel model = HoVLEModel.load(modelDir);
                GenerationEngine engine = EngineFactory.continuousBatching(maxBatch, tokenBudget, 2048)
                        .create(model, "bench")) {
            PromptPreparer preparer = PromptPreparer.builder().setConfig(config).setTokenizer(tokenizer).build();
            List<GenerationRequest> prepared = new ArrayList<>();
            for (VlmRequest r : requests) {
                List<byte[]> images = r.getImages().stream().map(i -> bytes(i.getData())).toList();
                prepared.add(preparer.prepare(images, VlmRequests.question(r, PromptPreparer.CAPTION_QUESTION,
                        images.size()), List.of()).toRequest(r.getRequestId(), preparer.greedy(maxNewTokens)));
            }
            long[] done = new long[prepared.size()];
            int[] tokens = new int[prepared.size()];
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < prepared.size(); i++) {
                int index = i;
                futures.add(engine.submit(prepared.get(i)).result().whenComplete((result, error) -> {
                    done[index] = System.nanoTime();
                    tokens[index] = result == null ? 0 : result.tokens().length;
                }));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            EngineStats stats = ((ContinuousBatchingEngine) engine).stats();
            return figures("engine", done, tokens, 1e-9, stats.steps(), stats.stepNanos() / 1e6 / stats.steps());
        }
    }

    /** The whole job, from requests waiting in Kafka to results committed. */
    public Figures pipeline(List<VlmRequest> requests) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("hovle-bench-kafka"))) {
            String servers = kafka.bootstrapServers();
            kafka.createTopics(Arrays.stream(Topic.values()).map(Topic::defaultName).toList(), 1);
            try (EventProducer producer = EventProducer.connect(servers)) {
                for (VlmRequest r : requests) {
                    producer.send(Topic.REQUESTS.defaultName(), r);
                }
                producer.flush();
            }
            Configuration conf = new Configuration();
            conf.set(InferenceOptions.BOOTSTRAP_SERVERS, servers);
            conf.set(InferenceOptions.MODEL_DIR, modelDir.toString());
            conf.set(InferenceOptions.MAX_BATCH, maxBatch);
            conf.set(InferenceOptions.TOKEN_BUDGET, tokenBudget);
            conf.set(InferenceOptions.MAX_NEW_TOKENS, maxNewTokens);
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
            List<VlmResult> results = new ArrayList<>();
            long steps;
            double stepMillis;
            try (EventReader<VlmResult> reader = EventReader.open(servers, Topic.RESULTS.defaultName(), VlmResult.class,
                    true)) {
                long end = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                while (results.size() < requests.size() && System.nanoTime() < end) {
                    reader.poll(Duration.ofMillis(500)).forEach(r -> results.add(r.event()));
                }
                steps = (long) LocalMetrics.max("hovle.engine.decodeSteps", r -> true);
                stepMillis = LocalMetrics.max("hovle.engine.meanStepMillis", r -> true);
            } finally {
                job.cancel().get();
            }
            long[] done = results.stream().mapToLong(r -> r.getProcessingTime().toEpochMilli()).toArray();
            // The result counts the stop token, the engine's token list does not: count both the same way.
            int[] tokens = results.stream().mapToInt(r -> r.getGeneratedTokens()
                    - (r.getFinishReason() == FinishReason.STOP ? 1 : 0)).toArray();
            return figures("pipeline", done, tokens, 1e-3, steps, stepMillis);
        }
    }

    private static Figures figures(String what, long[] done, int[] tokens, double secondsPerUnit, long steps,
            double stepMillis) {
        int first = 0;
        int last = 0;
        for (int i = 1; i < done.length; i++) {
            first = done[i] < done[first] ? i : first;
            last = done[i] > done[last] ? i : last;
        }
        long generated = Arrays.stream(tokens).sum() - tokens[first];
        return new Figures(what, done.length, generated, (done[last] - done[first]) * secondsPerUnit, steps, stepMillis);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
