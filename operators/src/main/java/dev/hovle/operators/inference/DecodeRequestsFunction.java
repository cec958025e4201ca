package dev.hovle.operators.inference;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes requests from their single-object encoding and checks them ({@link VlmRequests#problem}). Undecodable
 * bytes or an unknown schema fingerprint become UNDECODABLE_RECORD or UNKNOWN_SCHEMA dead letters; a request that
 * decodes but cannot be served (an unknown task, bad generation settings, a history that does not alternate, more
 * images than {@link ImageLimits#maxPerRequest}) becomes INVALID_REQUEST; inline images over {@link
 * ImageLimits#maxBytes} become IMAGE_TOO_LARGE. Each carries the raw record.
 */
public final class DecodeRequestsFunction extends ProcessFunction<SourceRecord, IncomingRequest> {
    private static final long serialVersionUID = 1L;

    private final EventCodec<VlmRequest> codec = EventCodec.of(VlmRequest.class);
    private final ImageLimits imageLimits;
    private transient DeadLetterCounters deadLetters;

    /** Decodes requests within {@link ImageLimits#DEFAULTS}. */
    public DecodeRequestsFunction() {
        this(ImageLimits.DEFAULTS);
    }

    /** Decodes requests within {@code imageLimits}. */
    public DecodeRequestsFunction(ImageLimits imageLimits) {
        this.imageLimits = imageLimits;
    }

    @Override
    public void open(OpenContext context) {
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<IncomingRequest> out) {
        VlmRequest request;
        try {
            request = codec.decode(record.value());
        } catch (EventDecodingException e) {
            fail(ctx, record, e.errorType(), "request record " + record + ": " + e.getMessage());
            return;
        } catch (Throwable t) {
            FailurePolicy.containOrRethrow(t);
            fail(ctx, record, ErrorType.UNDECODABLE_RECORD, "request record " + record + " could not be decoded: "
                    + FailurePolicy.describe(t));
            return;
        }
        String problem = VlmRequests.problem(request, imageLimits.maxPerRequest());
        if (problem != null) {
            fail(ctx, record, ErrorType.INVALID_REQUEST, problem);
            return;
        }
        for (int i = 0; i < request.getImages().size(); i++) {
            String tooLarge = imageLimits.inlineProblem("request " + request.getRequestId() + ": inline image "
                    + (i + 1), request.getImages().get(i).getData().remaining());
            if (tooLarge != null) {
                fail(ctx, record, ErrorType.IMAGE_TOO_LARGE, tooLarge);
                return;
            }
        }
        out.collect(new IncomingRequest(request, record, System.currentTimeMillis()));
    }

    private void fail(Context ctx, SourceRecord record, ErrorType type, String message) {
        ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, type, PipelineStage.DECODE, message,
                null)));
    }
}
