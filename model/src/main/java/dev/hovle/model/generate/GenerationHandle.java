package dev.hovle.model.generate;

import java.util.concurrent.CompletableFuture;

/** A submitted request: its eventual result, and a way to cancel it. */
public interface GenerationHandle {

    /** Completes with the result, or exceptionally with a {@link GenerationException}. */
    CompletableFuture<GenerationResult> result();

    /** Asks the engine to stop the request between steps; it then completes with {@link FinishReason#CANCELLED}. */
    void cancel();
}
