package dev.hovle.operators.inference;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
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
 * event with neither or both of data and URI become dead letters with the raw record.
 */
public final class DecodeImagesFunction extends ProcessFunction<SourceRecord, IncomingImage> {
    private static final long serialVersionUID = 1L;

    private final EventCodec<ImageEvent> codec = EventCodec.of(ImageEvent.class);
    private transient DeadLetterCounters deadLetters;

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
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, e.errorType(), PipelineStage.DECODE,
                    "image record " + record + ": " + e.getMessage(), null)));
            return;
        }
        String problem = problem(image);
        if (problem != null) {
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, ErrorType.UNDECODABLE_RECORD,
                    PipelineStage.DECODE, "image record " + record + ": " + problem, null)));
            return;
        }
        out.collect(new IncomingImage(image, record));
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
