package dev.hovle.pipeline.inference;

import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.serving.ComputePrecision;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.schemas.Topic;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Every setting of the inference job, as typed Flink options (key, type, default, description). Set them in
 * Flink's {@code config.yaml}, with {@code -Dkey=value} on the command line, or in a {@code Configuration}; the
 * reference table in {@code deploy/configuration.md} is generated from this class ({@code ./hovle options}).
 */
public final class InferenceOptions {
    private InferenceOptions() {}

    /** Which engine serves the model. */
    public enum EngineKind {
        /** Continuous batching: sequences join and leave between decode steps. */
        CONTINUOUS_BATCHING,
        /** One request at a time. */
        SEQUENTIAL
    }

    /** Where the consumer starts when its group has no committed offsets. */
    public enum StartingOffsets {
        /** The oldest records of each partition. */
        EARLIEST,
        /** Only records written after the job started. */
        LATEST
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("hovle.kafka.bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers, host:port[,host:port...] (required).");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("hovle.kafka.group-id")
            .stringType().defaultValue("hovle-inference")
            .withDescription("Consumer group of the job's Kafka sources; offsets are committed on checkpoints.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOptions.key("hovle.kafka.starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.EARLIEST)
            .withDescription("Where to start reading when the group has no committed offset (a restored checkpoint "
                    + "always wins).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions
            .key("hovle.kafka.transactional-id-prefix").stringType().defaultValue("hovle-inference")
            .withDescription("Prefix of the exactly-once sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("hovle.kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("Kafka transaction timeout of the sinks; must not exceed the brokers' "
                    + "transaction.max.timeout.ms (15 min by default) and must outlast a checkpoint interval.");

    public static final ConfigOption<String> IMAGES_TOPIC = ConfigOptions.key("hovle.topics.images")
            .stringType().defaultValue(Topic.IMAGES.defaultName()).withDescription("Topic of ImageEvents.");

    public static final ConfigOption<String> REQUESTS_TOPIC = ConfigOptions.key("hovle.topics.requests")
            .stringType().defaultValue(Topic.REQUESTS.defaultName()).withDescription("Topic of VlmRequests.");

    public static final ConfigOption<String> RESULTS_TOPIC = ConfigOptions.key("hovle.topics.results")
            .stringType().defaultValue(Topic.RESULTS.defaultName()).withDescription("Topic the VlmResults go to.");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = ConfigOptions.key("hovle.topics.dead-letters")
            .stringType().defaultValue(Topic.DEAD_LETTERS.defaultName()).withDescription("Topic the DeadLetters go to.");

    public static final ConfigOption<String> MODEL_UPDATES_TOPIC = ConfigOptions.key("hovle.topics.model-updates")
            .stringType().defaultValue(Topic.MODEL_UPDATES.defaultName())
            .withDescription("Topic of ModelUpdates the job follows, always read from its earliest offset so a fresh "
                    + "job learns which version serves.");

    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("hovle.model.dir")
            .stringType().noDefaultValue()
            .withDescription("Snapshot directory to serve (config.json, safetensors, tokenizer files), readable on "
                    + "every TaskManager (required).");

    public static final ConfigOption<String> MODEL_VERSION = ConfigOptions.key("hovle.model.version")
            .stringType().noDefaultValue()
            .withDescription("Version name of the snapshot in hovle.model.dir, which results carry until an update "
                    + "swaps in another; the root of the version lineage, so the training job must name it as the "
                    + "parent of its first version for a rollback to return here. Defaults to the snapshot "
                    + "directory's name.");

    public static final ConfigOption<String> MODEL_NAME = ConfigOptions.key("hovle.model.name")
            .stringType().defaultValue("hovle")
            .withDescription("Model line the job serves: it follows the ModelUpdates keyed by this name and ignores "
                    + "the others.");

    public static final ConfigOption<String> PINNED_VERSION = ConfigOptions.key("hovle.model.pinned-version")
            .stringType().noDefaultValue()
            .withDescription("Serve this version once an update names its checkpoint, and ignore promotions and "
                    + "rollbacks of every version (a REJECTED one is still never served). Unset: follow promotions "
                    + "and rollbacks.");

    public static final ConfigOption<String> STORE_URI = ConfigOptions.key("hovle.store.uri")
            .stringType().noDefaultValue()
            .withDescription("Model store: where the training job writes versions and resume points (any Flink "
                    + "FileSystem URI; required by the training job), and where the inference job may fetch the "
                    + "versions that updates name from.");

    public static final ConfigOption<List<String>> MODEL_URI_PREFIXES = ConfigOptions
            .key("hovle.model-updates.uri-prefixes").stringType().asList().noDefaultValue()
            .withDescription("URI prefixes the inference job may fetch model checkpoints from. Unset: hovle.store.uri "
                    + "alone, or nowhere when that is unset too. An update naming any other checkpoint URI is refused "
                    + "unopened (MODEL_UPDATE_REFUSED); so is one with a file that is not a regular file.");

    public static final ConfigOption<MemorySize> MODEL_MAX_BYTES = ConfigOptions.key("hovle.model-updates.max-bytes")
            .memoryType().defaultValue(MemorySize.parse("64g"))
            .withDescription("Largest model checkpoint, over all its files, the inference job fetches; a larger one "
                    + "is refused (a copy stops at this size).");

    public static final ConfigOption<String> MODEL_CACHE_DIR = ConfigOptions.key("hovle.model.cache-dir")
            .stringType().noDefaultValue()
            .withDescription("Local directory where a TaskManager copies a checkpoint from the model store and checks "
                    + "its SHA-256 sums before loading it (deleted once loaded). Defaults to hovle-model-cache in "
                    + "the temp folder.");

    public static final ConfigOption<EngineKind> ENGINE_KIND = ConfigOptions.key("hovle.engine.kind")
            .enumType(EngineKind.class).defaultValue(EngineKind.CONTINUOUS_BATCHING)
            .withDescription("The generation engine, one per TaskManager shared by its slots.");

    public static final ConfigOption<Integer> MAX_BATCH = ConfigOptions.key("hovle.engine.max-batch")
            .intType().defaultValue(8)
            .withDescription("Most sequences the continuous-batching engine decodes together.");

    public static final ConfigOption<Integer> TOKEN_BUDGET = ConfigOptions.key("hovle.engine.token-budget")
            .intType().defaultValue(256)
            .withDescription("Most positions one engine step runs: one per running sequence plus a prefill chunk.");

    public static final ConfigOption<Integer> MAX_SEQUENCE_LENGTH = ConfigOptions.key("hovle.engine.max-sequence-length")
            .intType().defaultValue(2048)
            .withDescription("Longest prompt plus new tokens a batch slot holds (sizes the preallocated KV caches; "
                    + "capped at the model's context).");

    public static final ConfigOption<String> DEVICE = ConfigOptions.key("hovle.engine.device")
            .stringType().defaultValue("cpu").withDescription("cpu, gpu or gpu:N.");

    public static final ConfigOption<ComputePrecision> PRECISION = ConfigOptions.key("hovle.engine.precision")
            .enumType(ComputePrecision.class).defaultValue(ComputePrecision.FLOAT32)
            .withDescription("Compute dtype; FLOAT32 is the fast CPU path, FLOAT16 halves GPU memory.");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("hovle.engine.threads")
            .intType().defaultValue(1)
            .withDescription("PyTorch intra-op threads per TaskManager on the CPU.");

    public static final ConfigOption<Integer> GENERATE_CAPACITY = ConfigOptions.key("hovle.generate.capacity")
            .intType().noDefaultValue()
            .withDescription("Requests one generate subtask may have in the engine (the async operator's capacity); "
                    + "when full, the job back-pressures Kafka. Defaults to twice the engine's concurrency.");

    public static final ConfigOption<Duration> GENERATE_TIMEOUT = ConfigOptions.key("hovle.generate.timeout")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Longest a request may spend in the generate operator before it becomes a "
                    + "GENERATION_FAILED dead letter.");

    public static final ConfigOption<Integer> GENERATE_PARALLELISM = ConfigOptions.key("hovle.generate.parallelism")
            .intType().noDefaultValue()
            .withDescription("Subtasks of the generate operator; defaults to the job's parallelism.");

    public static final ConfigOption<Integer> PREPARE_PARALLELISM = ConfigOptions.key("hovle.prepare.parallelism")
            .intType().noDefaultValue()
            .withDescription("Subtasks that decode, tile and tokenize; defaults to the job's parallelism.");

    public static final ConfigOption<Integer> MAX_NEW_TOKENS = ConfigOptions.key("hovle.generation.max-new-tokens")
            .intType().defaultValue(64)
            .withDescription("New tokens for requests that do not set maxNewTokens.");

    public static final ConfigOption<Boolean> AUTO_CAPTION = ConfigOptions.key("hovle.caption.auto")
            .booleanType().defaultValue(true)
            .withDescription("Whether every image on the images topic gets a CAPTION result (request id "
                    + "caption:<image id>).");

    public static final ConfigOption<String> CAPTION_PROMPT = ConfigOptions.key("hovle.caption.prompt")
            .stringType().defaultValue(PromptPreparer.CAPTION_QUESTION)
            .withDescription("The question a CAPTION without a prompt asks.");

    public static final ConfigOption<Duration> IMAGE_WAIT = ConfigOptions.key("hovle.images.wait")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How long a request waits for an image it names; then it becomes an IMAGE_MISSING "
                    + "dead letter.");

    public static final ConfigOption<Duration> IMAGE_RETENTION = ConfigOptions.key("hovle.images.retention")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("How long an image stays joinable for requests that name it after it arrived (state).");

    public static final ConfigOption<Integer> MAX_TILES = ConfigOptions.key("hovle.images.max-tiles")
            .intType().noDefaultValue()
            .withDescription("Most tiles per image; defaults to the model's max_dynamic_patch.");

    public static final ConfigOption<Long> PIXEL_LIMIT = ConfigOptions.key("hovle.images.pixel-limit")
            .longType().defaultValue(ImagePreprocessor.DEFAULT_PIXEL_LIMIT)
            .withDescription("Largest image in pixels, checked from the header before decoding; larger ones become "
                    + "IMAGE_TOO_LARGE dead letters.");

    public static final ConfigOption<List<String>> IMAGE_URI_PREFIXES = ConfigOptions.key("hovle.images.uri-prefixes")
            .stringType().asList().defaultValues()
            .withDescription("URI prefixes images may be read from (e.g. file:///data/images/;s3://photos/in/), "
                    + "matched at a path-segment boundary after normalisation; any other URI becomes an "
                    + "IMAGE_URI_REFUSED dead letter without being opened. Empty (the default) refuses every URI.");

    public static final ConfigOption<MemorySize> IMAGE_MAX_BYTES = ConfigOptions.key("hovle.images.max-bytes")
            .memoryType().defaultValue(MemorySize.parse(ImageLimits.DEFAULT_MAX_BYTES + "b"))
            .withDescription("Largest encoded image, inline or read by URI; larger ones become IMAGE_TOO_LARGE dead "
                    + "letters (a read stops at this size).");

    public static final ConfigOption<Duration> IMAGE_READ_TIMEOUT = ConfigOptions.key("hovle.images.read-timeout")
            .durationType().defaultValue(ImageLimits.DEFAULT_READ_TIMEOUT)
            .withDescription("How long reading one image by URI may take; slower reads become IMAGE_MISSING dead "
                    + "letters.");

    public static final ConfigOption<Integer> MAX_IMAGES = ConfigOptions.key("hovle.requests.max-images")
            .intType().defaultValue(ImageLimits.DEFAULT_MAX_PER_REQUEST)
            .withDescription("Most images one request (or training sample) may name or carry; more is an "
                    + "INVALID_REQUEST (INVALID_SAMPLE) dead letter.");

    public static final ConfigOption<Integer> MAX_FAILED_ATTEMPTS = ConfigOptions.key("hovle.failures.max-attempts")
            .intType().defaultValue(RecordAttempts.Settings.DEFAULTS.maxAttempts())
            .withDescription("A record in flight each time the job failed this many times is set aside as a "
                    + "REPEATED_FAILURE dead letter instead of being replayed again.");

    public static final ConfigOption<String> FAILURES_LEDGER_DIR = ConfigOptions.key("hovle.failures.ledger-dir")
            .stringType().noDefaultValue()
            .withDescription("Local directory where each subtask notes the records in flight, to count the job "
                    + "failures they were part of; defaults to hovle-record-attempts in the TaskManager's temporary "
                    + "directory. Use a disk that outlives TaskManager restarts on the same host.");

    /** The image limits {@code config} sets. */
    public static ImageLimits imageLimits(ReadableConfig config) {
        return new ImageLimits(config.get(IMAGE_URI_PREFIXES), config.get(IMAGE_MAX_BYTES).getBytes(),
                config.get(IMAGE_READ_TIMEOUT), config.get(MAX_IMAGES));
    }

    /** The record-attempts ledger settings {@code config} sets. */
    public static RecordAttempts.Settings recordAttempts(ReadableConfig config) {
        return new RecordAttempts.Settings(config.getOptional(FAILURES_LEDGER_DIR).orElse(null),
                config.get(MAX_FAILED_ATTEMPTS));
    }

    /** Where the inference job may fetch the checkpoints updates name, and how large they may be. */
    public static ModelStore.FetchLimits fetchLimits(ReadableConfig config) {
        List<String> prefixes = config.getOptional(MODEL_URI_PREFIXES).orElseGet(() -> config.getOptional(STORE_URI)
                .map(InferenceOptions::qualified).map(List::of).orElse(List.of()));
        return ModelStore.FetchLimits.under(prefixes, MODEL_URI_PREFIXES.key(), config.get(MODEL_MAX_BYTES).getBytes());
    }

    private static String qualified(String storeUri) {
        try {
            return ModelStore.at(storeUri).uri();
        } catch (IOException e) {
            throw new IllegalArgumentException(STORE_URI.key() + " " + storeUri + " is not usable: " + e.getMessage(), e);
        }
    }
}
