package dev.hovle.model.generate;

import dev.hovle.model.HoVLEModel;
import java.util.concurrent.CompletableFuture;

/**
 * Completes prompts with a HoVLE model. Any number of threads may submit concurrently; each request gets a future
 * and streams its tokens to its listener as they are produced.
 *
 * <p>Lifecycle: create one engine per model (per TaskManager or GPU in the streaming job), submit from anywhere,
 * close it to stop the worker, fail pending requests and free the model's native memory.
 */
public interface GenerationEngine extends AutoCloseable {

    /** Queues a request. Refusals (prompt too long, engine closed) complete the handle exceptionally. */
    GenerationHandle submit(GenerationRequest request);

    /**
     * Serves {@code next} (same architecture) as {@code version} for every request started from now on. Running
     * requests finish on the model they started with; none is lost. Completes with the previous model once nothing
     * uses it any more, for the caller to close; fails if the shapes differ.
     */
    default CompletableFuture<HoVLEModel> swapModel(
            HoVLEModel next, String version) {
        return CompletableFuture.failedFuture(new GenerationException(
                getClass().getSimpleName() + " cannot swap models; version " + version + " was not loaded"));
    }

    /** The version name of the model currently serving. */
    String modelVersion();

    /** Requests queued or running. */
    int pendingRequests();

    @Override
    void close();
}
