package dev.hovle.operators.inference;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.PromptTooLongException;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.images.ImageReadException;
import dev.hovle.operators.images.ImageReader;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.VlmRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Prepares work items for the engine in parallel CPU subtasks: reads images given by URI (within {@link
 * ImageLimits}), decodes and tiles them, applies the chat template and tokenizes, and resolves decoding settings. Bad
 * input becomes a dead letter: CORRUPT_IMAGE, UNSUPPORTED_IMAGE_FORMAT, IMAGE_TOO_LARGE, PROMPT_TOO_LONG,
 * IMAGE_URI_REFUSED for a URI outside the allowed prefixes or not a regular file, IMAGE_MISSING for one that cannot
 * be read in time, INVALID_REQUEST for anything else the request makes fail ({@link FailurePolicy}); a request that
 * was in flight each time the job failed is set aside as REPEATED_FAILURE ({@link RecordAttempts}).
 *
 * <pre>{@code
 * PrepareFunction prepare = PrepareFunction.builder().setModelDir("/models/hovle").optMaxNewTokens(64).build();
 * }</pre>
 */
public final class PrepareFunction extends ProcessFunction<WorkItem, PreparedRequest> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private final String captionPrompt;
    private final int maxNewTokens;
    private final Integer maxTiles;
    private final long pixelLimit;
    private final ImageLimits imageLimits;
    private final RecordAttempts.Settings attemptSettings;

    private transient HoVLETokenizer tokenizer;
    private transient ImageReader imageReader;
    private transient RecordAttempts attempts;
    private transient PromptPreparer preparer;
    private transient int contextLength;
    private transient DeadLetterCounters deadLetters;
    private transient Histogram preprocessMillis;

    private PrepareFunction(Builder b) {
        this.modelDir = b.modelDir;
        this.captionPrompt = b.captionPrompt;
        this.maxNewTokens = b.maxNewTokens;
        this.maxTiles = b.maxTiles;
        this.pixelLimit = b.pixelLimit;
        this.imageLimits = b.imageLimits;
        this.attemptSettings = b.attemptSettings;
    }

    /** A builder; the model directory is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext context) throws IOException {
        HoVLEConfig config = HoVLEConfig.read(Path.of(modelDir));
        tokenizer = HoVLETokenizer.load(Path.of(modelDir));
        PromptPreparer.Builder b = PromptPreparer.builder().setConfig(config).setTokenizer(tokenizer)
                .optPixelLimit(pixelLimit);
        if (maxTiles != null) {
            b.optMaxTiles(maxTiles);
        }
        preparer = b.build();
        contextLength = config.maxContextLength();
        imageReader = new ImageReader(imageLimits);
        attempts = RecordAttempts.forSubtask(getRuntimeContext(), "prepare", attemptSettings);
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        preprocessMillis = getRuntimeContext().getMetricGroup().addGroup("hovle")
                .histogram("preprocessMillis", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement(WorkItem item, Context ctx, Collector<PreparedRequest> out) {
        SourceRecord source = item.source();
        String requestId = item.request().getRequestId();
        if (attempts.exhausted(source)) {
            fail(ctx, item, ErrorType.REPEATED_FAILURE, attempts.exhaustedMessage(source, "request " + requestId));
            return;
        }
        attempts.begin(source);
        PreparedRequest prepared = null;
        try {
            prepared = prepare(item, ctx);
        } catch (Throwable t) {
            // Whatever one request makes fail is that request's dead letter; only JVM-wide errors restart the job.
            FailurePolicy.containOrRethrow(t);
            fail(ctx, item, ErrorType.INVALID_REQUEST, "request " + requestId + " could not be prepared: "
                    + FailurePolicy.describe(t));
        }
        attempts.end(source);
        // Outside the guard: what the chained operators downstream throw is theirs, not this request's preparation.
        if (prepared != null) {
            out.collect(prepared);
        }
    }

    /** The request ready for the engine, or null after sending its dead letter. */
    private PreparedRequest prepare(WorkItem item, Context ctx) {
        long started = System.nanoTime();
        VlmRequest r = item.request();
        List<byte[]> images = new ArrayList<>();
        for (ImageInput image : item.images()) {
            if (image.data() != null) {
                images.add(image.data());
                continue;
            }
            try {
                images.add(imageReader.read(image.uri()));
            } catch (ImageReadException e) {
                fail(ctx, item, errorType(e.reason()), image.label() + ": " + e.getMessage());
                return null;
            }
        }
        PreparedPrompt prompt;
        try {
            prompt = preparer.prepare(images, VlmRequests.question(r, captionPrompt, images.size()),
                    VlmRequests.history(r));
        } catch (InvalidImageException e) {
            fail(ctx, item, DeadLetters.errorType(e.reason()), "request " + r.getRequestId() + ": " + e.getMessage());
            return null;
        } catch (PromptTooLongException e) {
            fail(ctx, item, ErrorType.PROMPT_TOO_LONG, "request " + r.getRequestId() + ": " + e.getMessage());
            return null;
        }
        GenerationParams params = VlmRequests.generationParams(r, maxNewTokens, preparer);
        if (prompt.inputIds().length + params.maxNewTokens() > contextLength) {
            fail(ctx, item, ErrorType.PROMPT_TOO_LONG, "request " + r.getRequestId() + ": prompt of "
                    + prompt.inputIds().length + " tokens plus " + params.maxNewTokens() + " new tokens exceeds the "
                    + "context length of " + contextLength);
            return null;
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        preprocessMillis.update(tookMillis);
        RequestMeta meta = new RequestMeta(r.getRequestId(), r.getTask(), List.copyOf(r.getImageIds()),
                r.getEventTime().toEpochMilli(), item.readyMillis(), item.source());
        Long deadline = r.getDeadline() == null ? null : r.getDeadline().toEpochMilli();
        return new PreparedRequest(meta, prompt.inputIds(), prompt.holisticIds(), prompt.pixels(), params, deadline,
                tookMillis, System.currentTimeMillis());
    }

    private static ErrorType errorType(ImageReadException.Reason reason) {
        return switch (reason) {
            case REFUSED -> ErrorType.IMAGE_URI_REFUSED;
            case TOO_LARGE -> ErrorType.IMAGE_TOO_LARGE;
            case UNREADABLE -> ErrorType.IMAGE_MISSING;
        };
    }

    private void fail(Context ctx, WorkItem item, ErrorType type, String message) {
        ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(item.source(), type, PipelineStage.PREPARE,
                message, null)));
    }

    @Override
    public void close() throws IOException {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (imageReader != null) {
            imageReader.close();
        }
        if (attempts != null) {
            attempts.close();
        }
    }

    /** Builds a {@link PrepareFunction}. */
    public static final class Builder {
        private String modelDir;
        private String captionPrompt = PromptPreparer.CAPTION_QUESTION;
        private int maxNewTokens = 64;
        private Integer maxTiles;
        private long pixelLimit = ImagePreprocessor.DEFAULT_PIXEL_LIMIT;
        private ImageLimits imageLimits = ImageLimits.DEFAULTS;
        private RecordAttempts.Settings attemptSettings = RecordAttempts.Settings.DEFAULTS;

        private Builder() {}

        /** The snapshot directory whose config and tokenizer to use (required; the same model the engine serves). */
        public Builder setModelDir(String value) {
            this.modelDir = value;
            return this;
        }

        /** The question a CAPTION without a prompt asks (default {@link PromptPreparer#CAPTION_QUESTION}). */
        public Builder optCaptionPrompt(String value) {
            this.captionPrompt = value;
            return this;
        }

        /** New tokens for requests that do not say (default 64). */
        public Builder optMaxNewTokens(int value) {
            this.maxNewTokens = value;
            return this;
        }

        /** Most tiles per image (default: the model's max_dynamic_patch). */
        public Builder optMaxTiles(int value) {
            this.maxTiles = value;
            return this;
        }

        /** Largest image in pixels, checked before decoding (default {@link ImagePreprocessor#DEFAULT_PIXEL_LIMIT}). */
        public Builder optPixelLimit(long value) {
            this.pixelLimit = value;
            return this;
        }

        /** Which URIs images may be read from, and how large and slow a read may be (default: no URIs). */
        public Builder optImageLimits(ImageLimits value) {
            this.imageLimits = value;
            return this;
        }

        /** Where the subtasks keep their {@link RecordAttempts} ledgers, and when a request is set aside. */
        public Builder optRecordAttempts(RecordAttempts.Settings value) {
            this.attemptSettings = value;
            return this;
        }

        public PrepareFunction build() {
            if (modelDir == null) {
                throw new IllegalStateException("PrepareFunction needs setModelDir(dir): the snapshot the engine serves");
            }
            if (maxNewTokens < 1 || pixelLimit < 1 || (maxTiles != null && maxTiles < 1)) {
                throw new IllegalArgumentException("max new tokens and pixel limit and max tiles must be "
                        + "positive; found " + maxNewTokens + ", " + pixelLimit + ", " + maxTiles);
            }
            return new PrepareFunction(this);
        }
    }
}
