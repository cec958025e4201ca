package dev.hovle.sql.model;

import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.PromptTooLongException;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.inference.ImageInput;
import dev.hovle.operators.inference.PreparedRequest;
import dev.hovle.operators.inference.RequestPreparation;
import dev.hovle.operators.inference.WorkItem;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.serving.SharedEngine;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.sql.model.ModelColumns.RowInput;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * {@code ML_PREDICT} with a HoVLE model: each row is prepared as the inference job prepares a request ({@link
 * RequestPreparation}: URI reads within the model's prefixes, decoding, tiling, template, tokens) on a small pool
 * off the task thread, then submitted to the TaskManager's {@link SharedEngine}, whose continuous batching lets the
 * rows in flight (up to {@code table.exec.async-ml-predict.max-concurrent-operations}) share decode steps. Decoding
 * is greedy. A row the model cannot serve gives an error row or fails the job ({@link OnError}); either way its
 * future completes, so no row hangs.
 *
 * <p>Lifecycle: {@code open} leases the engine (loading the model if this JVM has none) and the tokenizer, and with
 * {@code model-updates.*} options joins the engine's {@link ModelUpdateFollower}, which swaps promoted versions in
 * between decode steps (each row's {@code model_version} names the version that produced it); {@code close} leaves
 * the follower and returns the lease; the last member stops the follower, the last lease the engine.
 */
public final class HovlePredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;
    /** Rows prepared or detokenized at once: preparation is CPU work that should not starve the engine's thread. */
    private static final int WORKERS = 2;
    private static final String SOURCE = "ML_PREDICT";

    private final HovleModel model;

    private transient SharedEngine lease;
    private transient ModelUpdateFollowers.Membership following;
    private transient RequestPreparation preparation;
    private transient ExecutorService workers;
    private transient String idPrefix;
    private transient AtomicLong rows;
    private transient int subtask;

    HovlePredictFunction(HovleModel model) {
        this.model = model;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        subtask = context.getTaskInfo().getIndexOfThisSubtask();
        preparation = RequestPreparation.open(model.preparation());
        lease = SharedEngine.acquire(model.engine());
        MetricGroup metrics = context.getMetricGroup().addGroup("hovle");
        metrics.addGroup("engine").gauge("modelVersion", (Gauge<String>) () -> lease.engine().modelVersion());
        if (model.updates() != null) {
            following = ModelUpdateFollowers.join(model.engine(), model.updates());
            ModelUpdateFollower follower = following.follower();
            MetricGroup versions = metrics.addGroup("model");
            versions.gauge("chosenVersion", (Gauge<String>) follower::chosenVersion);
            versions.gauge("refusedUpdates", (Gauge<Long>) follower::refusedUpdates);
        }
        workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "hovle-ml-predict");
            t.setDaemon(true);
            return t;
        });
        idPrefix = "ml-predict-" + UUID.randomUUID().toString().substring(0, 8) + "-" + subtask + "-";
        rows = new AtomicLong();
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) {
        // Copy the values now: Flink may reuse the row once this call returns.
        RowInput input = model.columns().read(row);
        long n = rows.incrementAndGet();
        CompletableFuture<Collection<RowData>> out = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                serve(idPrefix + n, n, input, out);
            } catch (Throwable t) {
                FailurePolicy.containOrRethrow(t);
                finishFailed(out, ErrorType.INVALID_REQUEST, "row " + n + " could not be prepared: "
                        + FailurePolicy.describe(t));
            }
        });
        return out;
    }

    private void serve(String id, long n, RowInput input, CompletableFuture<Collection<RowData>> out) {
        String problem = problem(input);
        if (problem != null) {
            finishFailed(out, ErrorType.INVALID_REQUEST, "row " + n + ": " + problem);
            return;
        }
        String tooLarge = input.image() == null ? null
                : model.preparation().imageLimits().inlineProblem("the image of row " + n, input.image().length);
        if (tooLarge != null) {
            finishFailed(out, ErrorType.IMAGE_TOO_LARGE, tooLarge);
            return;
        }
        RequestPreparation.Outcome outcome = preparation.prepare(workItem(id, n, input));
        if (outcome instanceof RequestPreparation.Refused refused) {
            finishFailed(out, refused.type(), refused.message());
            return;
        }
        PreparedRequest prepared = ((RequestPreparation.Prepared) outcome).request();
        GenerationHandle handle;
        try {
            handle = lease.engine().submit(prepared.toGenerationRequest());
        } catch (Throwable t) {
            FailurePolicy.containOrRethrow(t);
            finishFailed(out, ErrorType.GENERATION_FAILED, "row " + n + " was refused by the engine: "
                    + FailurePolicy.describe(t));
            return;
        }
        // The engine's thread completes the handle: detokenize on the workers, not there.
        handle.result().whenCompleteAsync((result, error) -> {
            if (error == null) {
                out.complete(List.of(answer(result)));
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            finishFailed(out, cause instanceof PromptTooLongException ? ErrorType.PROMPT_TOO_LONG
                    : ErrorType.GENERATION_FAILED, "row " + n + ": " + cause.getMessage());
        }, workers);
    }

    /** Why a row cannot be served before any image is touched, or null. */
    private static String problem(RowInput input) {
        if (input.image() == null && input.uri() == null) {
            return "the row has no image (image and image_uri are both NULL)";
        }
        if (input.image() != null && input.uri() != null) {
            return "the row has both image and image_uri; set exactly one";
        }
        return null;
    }

    /** The row as the request the inference job would have built: a caption without a prompt, else a question. */
    private static WorkItem workItem(String id, long n, RowInput input) {
        VlmRequest request = VlmRequest.newBuilder().setRequestId(id)
                .setTask(input.prompt() == null ? Task.CAPTION : Task.QA).setPrompt(input.prompt())
                .setEventTime(Instant.now()).build();
        ImageInput image = new ImageInput("the image of row " + n, null, input.image(), input.uri());
        return new WorkItem(request, List.of(image), new SourceRecord(SOURCE, 0, n, null, null),
                System.currentTimeMillis());
    }

    private RowData answer(GenerationResult result) {
        String text = preparation.tokenizer().decode(result.tokens()).strip();
        // The count includes the stop token, as VlmResult's does.
        int generated = result.tokens().length + (result.finishReason()
                == dev.hovle.model.generate.FinishReason.STOP ? 1 : 0);
        return model.columns().answer(text, result.modelVersion(), result.finishReason().name(),
                result.promptTokens(), generated);
    }

    private void finishFailed(CompletableFuture<Collection<RowData>> out, ErrorType type, String message) {
        if (model.onError() == OnError.FAIL) {
            out.completeExceptionally(new HovlePredictException(type + ": " + message + " (the model has 'on-error' = "
                    + "'fail'; 'error-row' would give a row with the reason instead)"));
        } else {
            out.complete(List.of(model.columns().error(type.name(), message, lease.engine().modelVersion())));
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        if (following != null) {
            following.close();
        }
        if (lease != null) {
            lease.close();
        }
        if (preparation != null) {
            preparation.close();
        }
    }

    /** A row the model could not serve, with 'on-error' = 'fail'. */
    static final class HovlePredictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HovlePredictException(String message) {
            super(message);
        }
    }
}
