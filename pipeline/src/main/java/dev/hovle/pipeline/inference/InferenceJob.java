package dev.hovle.pipeline.inference;

import static dev.hovle.pipeline.inference.InferenceOptions.AUTO_CAPTION;
import static dev.hovle.pipeline.inference.InferenceOptions.CAPTION_PROMPT;
import static dev.hovle.pipeline.inference.InferenceOptions.DEVICE;
import static dev.hovle.pipeline.inference.InferenceOptions.ENGINE_KIND;
import static dev.hovle.pipeline.inference.InferenceOptions.GENERATE_CAPACITY;
import static dev.hovle.pipeline.inference.InferenceOptions.GENERATE_PARALLELISM;
import static dev.hovle.pipeline.inference.InferenceOptions.GENERATE_TIMEOUT;
import static dev.hovle.pipeline.inference.InferenceOptions.IMAGE_RETENTION;
import static dev.hovle.pipeline.inference.InferenceOptions.IMAGE_WAIT;
import static dev.hovle.pipeline.inference.InferenceOptions.MAX_BATCH;
import static dev.hovle.pipeline.inference.InferenceOptions.MAX_NEW_TOKENS;
import static dev.hovle.pipeline.inference.InferenceOptions.MAX_SEQUENCE_LENGTH;
import static dev.hovle.pipeline.inference.InferenceOptions.MAX_TILES;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_CACHE_DIR;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_DIR;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_NAME;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_VERSION;
import static dev.hovle.pipeline.inference.InferenceOptions.PINNED_VERSION;
import static dev.hovle.pipeline.inference.InferenceOptions.PIXEL_LIMIT;
import static dev.hovle.pipeline.inference.InferenceOptions.PRECISION;
import static dev.hovle.pipeline.inference.InferenceOptions.PREPARE_PARALLELISM;
import static dev.hovle.pipeline.inference.InferenceOptions.THREADS;
import static dev.hovle.pipeline.inference.InferenceOptions.TOKEN_BUDGET;

import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.inference.DecodeImagesFunction;
import dev.hovle.operators.inference.DecodeRequestsFunction;
import dev.hovle.operators.inference.GenerateFunction;
import dev.hovle.operators.inference.Generation;
import dev.hovle.operators.inference.ImageJoinFunction;
import dev.hovle.operators.inference.ImageNeed;
import dev.hovle.operators.inference.ImageNeedsFunction;
import dev.hovle.operators.inference.ImagePart;
import dev.hovle.operators.inference.IncomingImage;
import dev.hovle.operators.inference.IncomingRequest;
import dev.hovle.operators.inference.PrepareFunction;
import dev.hovle.operators.inference.PreparedRequest;
import dev.hovle.operators.inference.RequestAssemblyFunction;
import dev.hovle.operators.inference.ResultFunction;
import dev.hovle.operators.inference.WorkItem;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.serving.EngineFactory;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.operators.serving.ModelUpdateOperator;
import dev.hovle.pipeline.inference.InferenceOptions.EngineKind;
import dev.hovle.pipeline.job.JobConfiguration;
import dev.hovle.pipeline.job.RequiredParts;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.VlmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming inference job: images and requests in, captions and answers out, every bad record a dead letter.
 *
 * <pre>
 * images   -> decode -> join by image id (auto-caption) --+--> parts -> assemble by request id --+
 * requests -> decode -> needs by image id ---------------+                                        +-> prepare (CPU,
 *          \-----------------------------------------------------> assemble by request id -------+   parallel)
 *   -> follow model updates (broadcast) -> generate (async, bounded capacity, one engine per TaskManager)
 *   -> results -> exactly-once Kafka sink
 * </pre>
 *
 * <p>With a model-update source, the job follows its model line's updates ({@link ModelUpdateOperator}): promoted
 * versions are fetched, verified and swapped in between decode steps, rollbacks return to the parent, and every
 * result names the version that produced it.
 *
 * <p>The job receives its ends, so tests and the local runtime can give it any source and sink; {@link
 * dev.hovle.pipeline.inference.InferenceKafka} builds the production ones from {@link InferenceOptions}.
 *
 * <pre>{@code
 * InferenceJob.builder().applyOptions(config)
 *         .setImageSource(InferenceKafka.imageSource(config)).setRequestSource(InferenceKafka.requestSource(config))
 *         .setResultSink(InferenceKafka.resultSink(config)).setDeadLetterSink(InferenceKafka.deadLetterSink(config))
 *         .optModelUpdateSource(InferenceKafka.modelUpdateSource(config))
 *         .build().addTo(env);
 * }</pre>
 */
public final class InferenceJob {
    private static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private final Builder b;

    private InferenceJob(Builder b) {
        this.b = b;
    }

    /**
     * Runs the job on a cluster with its Kafka ends: options come from the cluster's configuration and from
     * {@code --key value} arguments, e.g. {@code --hovle.model.dir /models/hovle --hovle.kafka.bootstrap-servers k:9092}.
     * Checkpointing (which commits the exactly-once results) defaults to every 10 s.
     */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = JobConfiguration.apply(env, args, c -> DEFAULT_CHECKPOINT_INTERVAL);
        builder().applyOptions(conf)
                .setImageSource(InferenceKafka.imageSource(conf)).setRequestSource(InferenceKafka.requestSource(conf))
                .setResultSink(InferenceKafka.resultSink(conf)).setDeadLetterSink(InferenceKafka.deadLetterSink(conf))
                .optModelUpdateSource(InferenceKafka.modelUpdateSource(conf))
                .build().addTo(env);
        env.execute("hovle-inference");
    }

    /** A builder; the four ends and the engine are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The engine spec the job serves with. */
    public EngineSpec engine() {
        return b.engine;
    }

    /** Adds the job's operators to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<IncomingImage> images = env
                .fromSource(b.imageSource, WatermarkStrategy.noWatermarks(), "images").uid("images-source")
                .process(new DecodeImagesFunction(b.imageLimits)).name("decode images").uid("decode-images");
        SingleOutputStreamOperator<IncomingRequest> requests = env
                .fromSource(b.requestSource, WatermarkStrategy.noWatermarks(), "requests").uid("requests-source")
                .process(new DecodeRequestsFunction(b.imageLimits)).name("decode requests").uid("decode-requests");
        DataStream<ImageNeed> needs = requests.flatMap(new ImageNeedsFunction()).name("image needs").uid("image-needs");

        SingleOutputStreamOperator<ImagePart> parts = images.keyBy(i -> i.image().getImageId())
                .connect(needs.keyBy(ImageNeed::imageId))
                .process(ImageJoinFunction.builder().setWait(b.imageWait).setRetention(b.imageRetention)
                        .optAutoCaption(b.autoCaption).build())
                .name("join images").uid("join-images");
        SingleOutputStreamOperator<WorkItem> assembled = requests.keyBy(r -> r.request().getRequestId())
                .connect(parts.keyBy(ImagePart::requestId))
                .process(new RequestAssemblyFunction(b.imageWait)).name("assemble requests").uid("assemble-requests");
        DataStream<WorkItem> work = assembled.union(parts.getSideOutput(ImageJoinFunction.CAPTIONS));

        PrepareFunction.Builder prepareBuilder = PrepareFunction.builder().setModelDir(b.engine.modelDir())
                .optCaptionPrompt(b.captionPrompt).optMaxNewTokens(b.maxNewTokens).optPixelLimit(b.pixelLimit)
                .optImageLimits(b.imageLimits).optRecordAttempts(b.recordAttempts);
        if (b.maxTiles != null) {
            prepareBuilder.optMaxTiles(b.maxTiles);
        }
        // The update follower must run beside every generate subtask (it drives that TaskManager's engine), so it joins
        // the generate chain at its head, right behind the last exchange: before prepare when prepare chains to
        // generate (same parallelism), else just before generate. Either way no request is serialized once more.
        int generateParallelism = b.generateParallelism != null ? b.generateParallelism : env.getParallelism();
        int prepareParallelism = b.prepareParallelism != null ? b.prepareParallelism : env.getParallelism();
        DataStream<SourceRecord> updates = null;
        if (b.modelUpdateSource != null) {
            // One reader suffices: a model line's updates share a partition (keyed by its name).
            updates = env.fromSource(b.modelUpdateSource, WatermarkStrategy.noWatermarks(), "model updates")
                    .uid("model-updates-source").setParallelism(1);
        }
        boolean followBeforePrepare = updates != null && prepareParallelism == generateParallelism;
        SingleOutputStreamOperator<WorkItem> followedWork = followBeforePrepare
                ? follow(work.rebalance(), updates, generateParallelism) : null;
        SingleOutputStreamOperator<PreparedRequest> prepared = (followedWork != null ? followedWork : work.rebalance())
                .process(prepareBuilder.build()).name("prepare").uid("prepare");
        SingleOutputStreamOperator<PreparedRequest> followedPrepared = updates != null && !followBeforePrepare
                ? follow(prepared, updates, generateParallelism) : null;
        DataStream<PreparedRequest> toGenerate = followedPrepared != null ? followedPrepared : prepared;
        int capacity = b.generateCapacity != null ? b.generateCapacity : 2 * b.engine.factory().maxConcurrency();
        SingleOutputStreamOperator<Generation> generated = AsyncDataStream.unorderedWait(toGenerate,
                new GenerateFunction(b.engine, b.recordAttempts), b.generateTimeout.toMillis(), TimeUnit.MILLISECONDS, capacity)
                .name("generate").uid("generate");
        SingleOutputStreamOperator<VlmResult> results = generated.process(new ResultFunction(b.engine.modelDir()))
                .name("results").uid("results");
        if (b.prepareParallelism != null) {
            prepared.setParallelism(b.prepareParallelism);
        }
        if (b.generateParallelism != null) {
            generated.setParallelism(b.generateParallelism);
            results.setParallelism(b.generateParallelism);
        }

        results.sinkTo(b.resultSink).name("results sink").uid("results-sink");
        DataStream<DeadLetter> deadLetters = images.getSideOutput(DeadLetters.TAG)
                .union(requests.getSideOutput(DeadLetters.TAG), assembled.getSideOutput(DeadLetters.TAG),
                        prepared.getSideOutput(DeadLetters.TAG), results.getSideOutput(DeadLetters.TAG));
        for (SingleOutputStreamOperator<?> follower : new SingleOutputStreamOperator<?>[] {followedWork,
                followedPrepared}) {
            if (follower != null) {
                deadLetters = deadLetters.union(follower.getSideOutput(DeadLetters.TAG));
            }
        }
        deadLetters.sinkTo(b.deadLetterSink).name("dead-letter sink").uid("dead-letter-sink");
    }

    /** Passes {@code requests} through the model-update follower, which has generate's parallelism. */
    private <T> SingleOutputStreamOperator<T> follow(DataStream<T> requests, DataStream<SourceRecord> updates,
            int parallelism) {
        ModelUpdateOperator.Builder follower = ModelUpdateOperator.builder().setEngine(b.engine)
                .optModelName(b.modelName).optPinnedVersion(b.pinnedVersion).optCacheDir(b.modelCacheDir);
        if (b.fetchLimits != null) {
            follower.optFetchLimits(b.fetchLimits);
        }
        return requests.connect(updates.broadcast()).transform("follow model updates", requests.getType(),
                follower.<T>build()).uid("follow-model-updates").setParallelism(parallelism);
    }

    /** Builds an {@link InferenceJob}. */
    public static final class Builder {
        private Source<SourceRecord, ?, ?> imageSource;
        private Source<SourceRecord, ?, ?> requestSource;
        private Sink<VlmResult> resultSink;
        private Sink<DeadLetter> deadLetterSink;
        private Source<SourceRecord, ?, ?> modelUpdateSource;
        private String modelName = MODEL_NAME.defaultValue();
        private String pinnedVersion;
        private String modelCacheDir;
        private ModelStore.FetchLimits fetchLimits;
        private EngineSpec engine;
        private Duration imageWait = IMAGE_WAIT.defaultValue();
        private Duration imageRetention = IMAGE_RETENTION.defaultValue();
        private boolean autoCaption = AUTO_CAPTION.defaultValue();
        private String captionPrompt = CAPTION_PROMPT.defaultValue();
        private int maxNewTokens = MAX_NEW_TOKENS.defaultValue();
        private Integer maxTiles;
        private long pixelLimit = PIXEL_LIMIT.defaultValue();
        private ImageLimits imageLimits = ImageLimits.DEFAULTS;
        private RecordAttempts.Settings recordAttempts = RecordAttempts.Settings.DEFAULTS;
        private Integer prepareParallelism;
        private Integer generateParallelism;
        private Integer generateCapacity;
        private Duration generateTimeout = GENERATE_TIMEOUT.defaultValue();

        private Builder() {}

        /** Every setting from {@code config}: the engine spec and all tunables (not the ends). */
        public Builder applyOptions(ReadableConfig config) {
            String dir = config.getOptional(MODEL_DIR).orElseThrow(() -> new IllegalArgumentException("set "
                    + MODEL_DIR.key() + " to the snapshot directory to serve"));
            String version = config.getOptional(MODEL_VERSION).orElse(Path.of(dir).getFileName().toString());
            EngineFactory factory = config.get(ENGINE_KIND) == EngineKind.SEQUENTIAL ? EngineFactory.sequential()
                    : EngineFactory.continuousBatching(config.get(MAX_BATCH), config.get(TOKEN_BUDGET),
                            config.get(MAX_SEQUENCE_LENGTH));
            engine = new EngineSpec(Path.of(dir).toAbsolutePath().toString(), version, config.get(DEVICE),
                    config.get(PRECISION), config.get(THREADS), factory);
            imageWait = config.get(IMAGE_WAIT);
            imageRetention = config.get(IMAGE_RETENTION);
            autoCaption = config.get(AUTO_CAPTION);
            captionPrompt = config.get(CAPTION_PROMPT);
            maxNewTokens = config.get(MAX_NEW_TOKENS);
            maxTiles = config.getOptional(MAX_TILES).orElse(null);
            pixelLimit = config.get(PIXEL_LIMIT);
            imageLimits = InferenceOptions.imageLimits(config);
            recordAttempts = InferenceOptions.recordAttempts(config);
            prepareParallelism = config.getOptional(PREPARE_PARALLELISM).orElse(null);
            generateParallelism = config.getOptional(GENERATE_PARALLELISM).orElse(null);
            generateCapacity = config.getOptional(GENERATE_CAPACITY).orElse(null);
            generateTimeout = config.get(GENERATE_TIMEOUT);
            modelName = config.get(MODEL_NAME);
            pinnedVersion = config.getOptional(PINNED_VERSION).orElse(null);
            modelCacheDir = config.getOptional(MODEL_CACHE_DIR).orElse(null);
            fetchLimits = InferenceOptions.fetchLimits(config);
            return this;
        }

        /** Raw records of the images topic (required). */
        public Builder setImageSource(Source<SourceRecord, ?, ?> value) {
            this.imageSource = value;
            return this;
        }

        /** Raw records of the requests topic (required). */
        public Builder setRequestSource(Source<SourceRecord, ?, ?> value) {
            this.requestSource = value;
            return this;
        }

        /** Where results go (required; exactly-once for the production job). */
        public Builder setResultSink(Sink<VlmResult> value) {
            this.resultSink = value;
            return this;
        }

        /** Where dead letters go (required). */
        public Builder setDeadLetterSink(Sink<DeadLetter> value) {
            this.deadLetterSink = value;
            return this;
        }

        /**
         * Raw records of the model-updates topic, read from the earliest offset (optional: without it the job serves
         * its configured snapshot only). The model name, a pinned version and the cache directory come from {@link
         * #applyOptions}.
         */
        public Builder optModelUpdateSource(Source<SourceRecord, ?, ?> value) {
            this.modelUpdateSource = value;
            return this;
        }

        /** The model and engine to serve (required, or from {@link #applyOptions}). */
        public Builder setEngine(EngineSpec value) {
            this.engine = value;
            return this;
        }

        /** How long a request waits for a named image (default {@link InferenceOptions#IMAGE_WAIT}). */
        public Builder optImageWait(Duration value) {
            this.imageWait = value;
            return this;
        }

        /** How long images stay joinable (default {@link InferenceOptions#IMAGE_RETENTION}). */
        public Builder optImageRetention(Duration value) {
            this.imageRetention = value;
            return this;
        }

        /** Whether every image gets a caption (default true). */
        public Builder optAutoCaption(boolean value) {
            this.autoCaption = value;
            return this;
        }

        /** New tokens for requests that do not say (default 64). */
        public Builder optMaxNewTokens(int value) {
            this.maxNewTokens = value;
            return this;
        }

        /** Largest image in pixels (default {@link InferenceOptions#PIXEL_LIMIT}). */
        public Builder optPixelLimit(long value) {
            this.pixelLimit = value;
            return this;
        }

        /**
         * Where checkpoints named by model updates may be fetched from (default: nowhere, so only the configured
         * snapshot serves; {@link #applyOptions} sets them from the options).
         */
        public Builder optFetchLimits(ModelStore.FetchLimits value) {
            this.fetchLimits = value;
            return this;
        }

        /** Which URIs images may be read from, how large and slow (default: no URIs, 32 MiB, 10 s, 16 a request). */
        public Builder optImageLimits(ImageLimits value) {
            this.imageLimits = value;
            return this;
        }

        /** Where subtasks count the failures each record was in flight for, and when it is set aside. */
        public Builder optRecordAttempts(RecordAttempts.Settings value) {
            this.recordAttempts = value;
            return this;
        }

        /** Requests per generate subtask in the engine (default twice the engine's concurrency). */
        public Builder optGenerateCapacity(int value) {
            this.generateCapacity = value;
            return this;
        }

        /** Longest time in the generate operator (default 5 min). */
        public Builder optGenerateTimeout(Duration value) {
            this.generateTimeout = value;
            return this;
        }

        public InferenceJob build() {
            new RequiredParts().require(imageSource, "setImageSource").require(requestSource, "setRequestSource")
                    .require(resultSink, "setResultSink").require(deadLetterSink, "setDeadLetterSink")
                    .require(engine, "setEngine (or applyOptions with " + MODEL_DIR.key() + ")")
                    .check("InferenceJob", "InferenceKafka builds the Kafka ends from the options");
            return new InferenceJob(this);
        }
    }
}
