package dev.hovle.operators.inference;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
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
 * bytes, an unknown schema fingerprint, or a request that cannot be served become dead letters with the raw record.
 */
public final class DecodeRequestsFunction extends ProcessFunction<SourceRecord, IncomingRequest> {
    private static final long serialVersionUID = 1L;

    private final EventCodec<VlmRequest> codec = EventCodec.of(VlmRequest.class);
    private transient DeadLetterCounters deadLetters;

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
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, e.errorType(), PipelineStage.DECODE,
                    "request record " + record + ": " + e.getMessage(), null)));
            return;
        }
        String problem = VlmRequests.problem(request);
        if (problem != null) {
            // No error type fits an invalid request better: the record decoded, but not into a request we can serve.
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, ErrorType.UNDECODABLE_RECORD,
                    PipelineStage.DECODE, problem, null)));
            return;
        }
        out.collect(new IncomingRequest(request, record, System.currentTimeMillis()));
    }
}
