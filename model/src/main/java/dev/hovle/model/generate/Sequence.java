package dev.hovle.model.generate;

import ai.djl.ndarray.NDManager;
import dev.hovle.model.ChunkedPrefill;
import dev.hovle.model.MultimodalInput;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** One request inside the batching engine: its prefill progress, its tokens so far, and its handle. */
final class Sequence implements GenerationHandle {
    final GenerationRequest request;
    final Sampler sampler;
    final long submittedNanos;
    final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    NDManager scope;
    /** The prompt as the model consumes it, set when the sequence starts running. */
    MultimodalInput input;
    ChunkedPrefill prefill;
    long startedNanos;
    long firstTokenNanos;
    private int[] tokens;
    private int count;

    Sequence(GenerationRequest request, long submittedNanos) {
        this.request = request;
        this.sampler = Sampler.of(request.params().sampling());
        this.submittedNanos = submittedNanos;
        this.tokens = new int[Math.min(request.params().maxNewTokens(), 64)];
    }

    @Override
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        cancelled.set(true);
    }

    /**
     * Takes the next token from its logits and reports why the sequence ends, or null to keep going; the stop
     * token itself is not kept.
     */
    FinishReason accept(float[] logits) {
        int token = sampler.sample(logits);
        if (request.params().isStop(token)) {
            return FinishReason.STOP;
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.min(tokens.length * 2, request.params().maxNewTokens()));
        }
        tokens[count++] = token;
        try {
            request.listener().onToken(token);
        } catch (RuntimeException e) {
            // A failing listener ends its own sequence, never the batch it shares.
            cancelled.set(true);
        }
        if (count == request.params().maxNewTokens()) {
            return FinishReason.LENGTH;
        }
        return interruption();
    }

    /** Cancellation or an expired deadline, checked between steps. */
    FinishReason interruption() {
        if (cancelled.get()) {
            return FinishReason.CANCELLED;
        }
        if (request.deadline() != null && Instant.now().isAfter(request.deadline())) {
            return FinishReason.DEADLINE;
        }
        return null;
    }

    int lastToken() {
        return tokens[count - 1];
    }

    /** The prompt followed by every token generated so far: what a step past the dynamic NTK limit recomputes. */
    MultimodalInput soFar() {
        return input.followedBy(Arrays.copyOf(tokens, count));
    }

    GenerationResult finish(FinishReason reason, String modelVersion) {
        long now = System.nanoTime();
        long queue = startedNanos - submittedNanos;
        long prefill = firstTokenNanos == 0 ? now - startedNanos : firstTokenNanos - startedNanos;
        long decode = firstTokenNanos == 0 ? 0 : now - firstTokenNanos;
        return new GenerationResult(Arrays.copyOf(tokens, count), reason, request.inputIds().length,
                new GenerationTimings(queue, prefill, decode), modelVersion);
    }
}
