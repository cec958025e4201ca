package dev.hovle.operators.inference;

import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.PipelineStage;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Prepares work items for the engine in parallel CPU subtasks ({@link RequestPreparation}): reads images given by URI (within {@link
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

    private final RequestPreparation.Settings settings;
    private final RecordAttempts.Settings attemptSettings;

    private transient RequestPreparation preparation;
    private transient RecordAttempts attempts;
    private transient DeadLetterCounters deadLetters;
    private transient Histogram preprocessMillis;

    private PrepareFunction(Builder b) {
        this.settings = new RequestPreparation.Settings(b.modelDir, b.captionPrompt, b.maxNewTokens, b.maxTiles,
                b.pixelLimit, b.imageLimits);
        this.attemptSettings = b.attemptSettings;
    }

    /** A builder; the model directory is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext context) throws IOException {
        preparation = RequestPreparation.open(settings);
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
            RequestPreparation.Outcome outcome = preparation.prepare(item);
            if (outcome instanceof RequestPreparation.Refused refused) {
                fail(ctx, item, refused.type(), refused.message());
            } else {
                prepared = ((RequestPreparation.Prepared) outcome).request();
                preprocessMillis.update(prepared.preprocessMillis());
            }
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

    private void fail(Context ctx, WorkItem item, ErrorType type, String message) {
        ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(item.source(), type, PipelineStage.PREPARE,
                message, null)));
    }

    @Override
    public void close() throws IOException {
        if (preparation != null) {
            preparation.close();
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
            return new PrepareFunction(this);
        }
    }
}
