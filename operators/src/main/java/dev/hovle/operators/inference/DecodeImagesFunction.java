package dev.hovle.operators.inference;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes image events from their single-object encoding. Undecodable bytes, an unknown schema fingerprint, or an
 * event with neither or both of data and URI become dead letters with the raw record, and inline data over {@link
 * ImageLimits#maxBytes} an IMAGE_TOO_LARGE one, before it can reach the join's state. URIs are checked where they
 * are read, in {@link PrepareFunction}.
 */
public final class DecodeImagesFunction extends ProcessFunction<SourceRecord, IncomingImage> {
    private static final long serialVersionUID = 1L;

    private final EventCodec<ImageEvent> codec = EventCodec.of(ImageEvent.class);
    private final ImageLimits imageLimits;
    private transient DeadLetterCounters deadLetters;

    /** Decodes image events within {@link ImageLimits#DEFAULTS}. */
    public DecodeImagesFunction() {
        this(ImageLimits.DEFAULTS);
    }

    /** Decodes image events within {@code imageLimits}. */
    public DecodeImagesFunction(ImageLimits imageLimits) {
        this.imageLimits = imageLimits;
    }

    @Override
    public void open(OpenContext context) {
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<IncomingImage> out) {
        ImageEvent image;
        try {
            image = codec.decode(record.value());
        } catch (EventDecodingException e) {
            fail(ctx, record, e.errorType(), "image record " + record + ": " + e.getMessage());
            return;
        } catch (Throwable t) {
            FailurePolicy.containOrRethrow(t);
            fail(ctx, record, ErrorType.UNDECODABLE_RECORD, "image record " + record + " could not be decoded: "
                    + FailurePolicy.describe(t));
            return;
        }
        String problem = problem(image);
        if (problem != null) {
            fail(ctx, record, ErrorType.UNDECODABLE_RECORD, "image record " + record + ": " + problem);
            return;
        }
        String tooLarge = image.getData() == null ? null
                : imageLimits.inlineProblem("image " + image.getImageId(), image.getData().remaining());
        if (tooLarge != null) {
            fail(ctx, record, ErrorType.IMAGE_TOO_LARGE, "image record " + record + ": " + tooLarge);
            return;
        }
        out.collect(new IncomingImage(image, record));
    }

    private void fail(Context ctx, SourceRecord record, ErrorType type, String message) {
        ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, type, PipelineStage.DECODE, message,
                null)));
    }

    /** Why an image event cannot be used, or null. */
    static String problem(ImageEvent image) {
        if (image.getImageId() == null || image.getImageId().isBlank()) {
            return "image event has no id";
        }
        if ((image.getData() == null) == (image.getUri() == null)) {
            return "image " + image.getImageId() + " must carry exactly one of data and uri";
        }
        return null;
    }
}
