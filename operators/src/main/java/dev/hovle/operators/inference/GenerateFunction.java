package dev.hovle.operators.inference;

import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.PromptTooLongException;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.metrics.EngineGauges;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.SharedEngine;
import dev.hovle.schemas.ErrorType;
import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Hands prepared requests to the TaskManager's shared engine, behind Flink's async operator: the operator's
 * capacity bounds how many requests a subtask has in the engine, so a busy engine back-pressures the source
 * instead of queueing without limit. Failures and timeouts become GENERATION_FAILED or PROMPT_TOO_LONG outcomes;
 * an engine that throws from {@code submit} fails only that request, unless what it throws is JVM-wide ({@link
 * FailurePolicy}): then the task fails, the request is blamed in the {@link RecordAttempts} ledger, and after
 * {@code maxAttempts} such failures its replay becomes a REPEATED_FAILURE dead letter instead of another restart.
 *
 * <p>Lifecycle: {@code open()} leases the engine (loading the model if this JVM has none), {@code close()} returns
 * the lease; the last lease stops the engine.
 */
public final class GenerateFunction extends RichAsyncFunction<PreparedRequest, Generation> {
    private static final long serialVersionUID = 1L;

    private final EngineSpec spec;
    private final RecordAttempts.Settings attemptSettings;

    private transient SharedEngine lease;
    private transient RecordAttempts attempts;
    private transient Map<PreparedRequest, GenerationHandle> inFlight;

    /** A function that serves {@code spec}'s engine, with the default {@link RecordAttempts.Settings}. */
    public GenerateFunction(EngineSpec spec) {
        this(spec, RecordAttempts.Settings.DEFAULTS);
    }

    /** A function that serves {@code spec}'s engine and keeps its ledger as {@code attemptSettings} say. */
    public GenerateFunction(EngineSpec spec, RecordAttempts.Settings attemptSettings) {
        this.spec = spec;
        this.attemptSettings = attemptSettings;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        attempts = RecordAttempts.forSubtask(getRuntimeContext(), "generate", attemptSettings);
        lease = SharedEngine.acquire(spec);
        inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
        EngineGauges.register(getRuntimeContext().getMetricGroup(), lease.engine(), spec.factory().maxConcurrency(),
                () -> inFlight.size());
    }

    @Override
    public void asyncInvoke(PreparedRequest prepared, ResultFuture<Generation> resultFuture) {
        GenerationEngine engine = lease.engine();
        long waitMillis = Math.max(0, System.currentTimeMillis() - prepared.preparedMillis());
        SourceRecord source = prepared.meta().source();
        if (attempts.exhausted(source)) {
            resultFuture.complete(List.of(Generation.failed(prepared, waitMillis, ErrorType.REPEATED_FAILURE,
                    attempts.exhaustedMessage(source, "request " + prepared.meta().requestId()),
                    engine.modelVersion())));
            return;
        }
        attempts.begin(source);
        GenerationHandle handle;
        try {
            handle = engine.submit(prepared.toGenerationRequest());
        } catch (Throwable t) {
            if (!FailurePolicy.isRecordLocal(t)) {
                attempts.blame(source);
            }
            FailurePolicy.containOrRethrow(t);
            attempts.end(source);
            resultFuture.complete(List.of(Generation.failed(prepared, waitMillis, ErrorType.GENERATION_FAILED,
                    "request " + prepared.meta().requestId() + " was refused by the engine: "
                            + FailurePolicy.describe(t), engine.modelVersion())));
            return;
        }
        inFlight.put(prepared, handle);
        // Runs on the engine's thread: hand the result over and return, the decoding happens downstream.
        handle.result().whenComplete((result, error) -> {
            inFlight.remove(prepared);
            attempts.end(source);
            if (error == null) {
                resultFuture.complete(List.of(Generation.succeeded(prepared, waitMillis, result)));
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                ErrorType type = cause instanceof PromptTooLongException ? ErrorType.PROMPT_TOO_LONG
                        : ErrorType.GENERATION_FAILED;
                resultFuture.complete(List.of(Generation.failed(prepared, waitMillis, type, String.valueOf(
                        cause.getMessage()), engine.modelVersion())));
            }
        });
    }

    @Override
    public void timeout(PreparedRequest prepared, ResultFuture<Generation> resultFuture) {
        GenerationHandle handle = inFlight.remove(prepared);
        if (handle != null) {
            handle.cancel();
        }
        resultFuture.complete(List.of(Generation.failed(prepared, 0, ErrorType.GENERATION_FAILED, "request "
                + prepared.meta().requestId() + " timed out in the generate operator", lease.engine().modelVersion())));
    }

    @Override
    public void close() throws IOException {
        if (lease != null) {
            lease.close();
        }
        if (attempts != null) {
            attempts.close();
        }
    }
}
