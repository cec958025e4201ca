package dev.hovle.sql.model;

import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.inference.RequestPreparation;
import dev.hovle.operators.serving.ComputePrecision;
import dev.hovle.operators.serving.EngineFactory;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.schemas.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The {@code WITH} options of a {@code 'provider' = 'hovle'} model. Defaults are the inference job's, so a query and
 * the DataStream job configured alike share one engine in a TaskManager.
 */
public final class HovleModelOptions {
    private HovleModelOptions() {}

    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("model.dir").stringType().noDefaultValue()
            .withDescription("Snapshot directory to serve (config.json, safetensors, tokenizer files), readable on "
                    + "every TaskManager and checked where the statement runs (required).");

    public static final ConfigOption<String> MODEL_VERSION = ConfigOptions.key("model.version").stringType()
            .noDefaultValue()
            .withDescription("Version name the model_version column carries. Defaults to the directory's name.");

    public static final ConfigOption<String> DEVICE = ConfigOptions.key("engine.device").stringType()
            .defaultValue("cpu").withDescription("cpu, gpu or gpu:N.");

    public static final ConfigOption<ComputePrecision> PRECISION = ConfigOptions.key("engine.precision")
            .enumType(ComputePrecision.class).defaultValue(ComputePrecision.FLOAT32)
            .withDescription("Compute dtype: FLOAT32 or FLOAT16.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("engine.threads").intType().defaultValue(1)
            .withDescription("PyTorch intra-op threads per TaskManager on the CPU.");

    public static final ConfigOption<Integer> MAX_BATCH = ConfigOptions.key("engine.max-batch").intType()
            .defaultValue(8).withDescription("Most sequences the continuous-batching engine decodes together.");

    public static final ConfigOption<Integer> TOKEN_BUDGET = ConfigOptions.key("engine.token-budget").intType()
            .defaultValue(256).withDescription("Most positions one engine step runs.");

    public static final ConfigOption<Integer> MAX_SEQUENCE_LENGTH = ConfigOptions.key("engine.max-sequence-length")
            .intType().defaultValue(2048)
            .withDescription("Longest prompt plus new tokens a batch slot holds (capped at the model's context).");

    public static final ConfigOption<Integer> MAX_NEW_TOKENS = ConfigOptions.key("max-new-tokens").intType()
            .defaultValue(64).withDescription("New tokens per row (greedy decoding).");

    public static final ConfigOption<String> CAPTION_PROMPT = ConfigOptions.key("caption-prompt").stringType()
            .defaultValue(PromptPreparer.CAPTION_QUESTION)
            .withDescription("The question asked of a row whose prompt is NULL, blank or absent.");

    public static final ConfigOption<Integer> MAX_TILES = ConfigOptions.key("images.max-tiles").intType()
            .noDefaultValue().withDescription("Most tiles per image; defaults to the model's max_dynamic_patch.");

    public static final ConfigOption<Long> PIXEL_LIMIT = ConfigOptions.key("images.pixel-limit").longType()
            .defaultValue(ImagePreprocessor.DEFAULT_PIXEL_LIMIT)
            .withDescription("Largest image in pixels, checked from the header before decoding.");

    public static final ConfigOption<List<String>> URI_PREFIXES = ConfigOptions.key("images.uri-prefixes")
            .stringType().asList().defaultValues()
            .withDescription("URI prefixes image_uri values may be read from (separated by ;); any other URI is "
                    + "refused unopened. Empty (the default) refuses every URI.");

    public static final ConfigOption<MemorySize> MAX_BYTES = ConfigOptions.key("images.max-bytes").memoryType()
            .defaultValue(MemorySize.parse(ImageLimits.DEFAULT_MAX_BYTES + "b"))
            .withDescription("Largest encoded image, inline or read by URI.");

    public static final ConfigOption<Duration> READ_TIMEOUT = ConfigOptions.key("images.read-timeout").durationType()
            .defaultValue(ImageLimits.DEFAULT_READ_TIMEOUT)
            .withDescription("How long reading one image by URI may take.");

    public static final ConfigOption<String> ON_ERROR = ConfigOptions.key("on-error").stringType()
            .defaultValue(OnError.ERROR_ROW.key())
            .withDescription("What a row the model cannot serve (corrupt or refused image, prompt too long, "
                    + "generation failure) gives: 'error-row' (a row with NULL answer and the reason in the error "
                    + "and error_type columns) or 'fail' (the job fails with the reason).");

    /** The options of following the model-updates topic start with this. */
    static final String UPDATES_PREFIX = "model-updates.";

    /** Kafka consumer properties for the updates topic (security, timeouts) start with this. */
    public static final String UPDATES_KAFKA_PROPERTIES = UPDATES_PREFIX + "properties.";

    public static final ConfigOption<String> UPDATES_BOOTSTRAP_SERVERS = ConfigOptions
            .key(UPDATES_PREFIX + "bootstrap-servers").stringType().noDefaultValue()
            .withDescription("Kafka brokers of the model-updates topic. Set, each TaskManager follows the topic (one "
                    + "reader per shared engine) and swaps promoted versions in as the inference job does; unset, "
                    + "the model serves model.dir for the query's whole life.");

    public static final ConfigOption<String> UPDATES_TOPIC = ConfigOptions.key(UPDATES_PREFIX + "topic").stringType()
            .defaultValue(Topic.MODEL_UPDATES.defaultName())
            .withDescription("Topic of ModelUpdates to follow, read read_committed from its earliest offset.");

    public static final ConfigOption<String> UPDATES_MODEL_NAME = ConfigOptions.key(UPDATES_PREFIX + "model-name")
            .stringType().defaultValue("hovle")
            .withDescription("The model line to follow: updates keyed by another model name are ignored.");

    public static final ConfigOption<List<String>> UPDATES_URI_PREFIXES = ConfigOptions
            .key(UPDATES_PREFIX + "uri-prefixes").stringType().asList().defaultValues()
            .withDescription("URI prefixes (separated by ;) checkpoints named by updates may be fetched from, "
                    + "usually the model store. Any other checkpoint URI is refused unopened; empty (the default) "
                    + "refuses every stored version, so only model.dir serves.");

    public static final ConfigOption<MemorySize> UPDATES_MAX_BYTES = ConfigOptions.key(UPDATES_PREFIX + "max-bytes")
            .memoryType().defaultValue(MemorySize.parse("64g"))
            .withDescription("Largest checkpoint, over all its files, that is fetched; a larger one is refused (a "
                    + "copy stops at this size).");

    public static final ConfigOption<String> UPDATES_PINNED_VERSION = ConfigOptions
            .key(UPDATES_PREFIX + "pinned-version").stringType().noDefaultValue()
            .withDescription("A version to serve as soon as an update names its checkpoint, ignoring every other "
                    + "promotion and rollback.");

    public static final ConfigOption<String> UPDATES_CACHE_DIR = ConfigOptions.key(UPDATES_PREFIX + "cache-dir")
            .stringType().noDefaultValue()
            .withDescription("Local directory for checkpoints being fetched (default: hovle-model-cache in the "
                    + "temp folder).");

    /** Every optional option. */
    static Set<ConfigOption<?>> optional() {
        return Set.of(MODEL_VERSION, DEVICE, PRECISION, THREADS, MAX_BATCH, TOKEN_BUDGET, MAX_SEQUENCE_LENGTH,
                MAX_NEW_TOKENS, CAPTION_PROMPT, MAX_TILES, PIXEL_LIMIT, URI_PREFIXES, MAX_BYTES, READ_TIMEOUT,
                ON_ERROR, UPDATES_BOOTSTRAP_SERVERS, UPDATES_TOPIC, UPDATES_MODEL_NAME, UPDATES_URI_PREFIXES,
                UPDATES_MAX_BYTES, UPDATES_PINNED_VERSION, UPDATES_CACHE_DIR);
    }

    /**
     * The engine {@code options} describe: equal options give equal specs, hence one shared engine per TaskManager.
     */
    public static EngineSpec engineSpec(ReadableConfig options) {
        Path dir = Path.of(options.get(MODEL_DIR)).toAbsolutePath();
        String version = options.getOptional(MODEL_VERSION).orElse(dir.getFileName().toString());
        return new EngineSpec(dir.toString(), version, options.get(DEVICE), options.get(PRECISION),
                options.get(THREADS), EngineFactory.continuousBatching(options.get(MAX_BATCH),
                        options.get(TOKEN_BUDGET), options.get(MAX_SEQUENCE_LENGTH)));
    }

    /** How rows are prepared, as the inference job prepares requests. */
    static RequestPreparation.Settings preparation(ReadableConfig options) {
        ImageLimits limits = new ImageLimits(options.get(URI_PREFIXES), options.get(MAX_BYTES).getBytes(),
                options.get(READ_TIMEOUT), 1);
        return new RequestPreparation.Settings(engineSpec(options).modelDir(), options.get(CAPTION_PROMPT),
                options.get(MAX_NEW_TOKENS), options.getOptional(MAX_TILES).orElse(null), options.get(PIXEL_LIMIT),
                limits);
    }
}
