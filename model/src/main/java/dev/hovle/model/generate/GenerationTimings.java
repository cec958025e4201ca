package dev.hovle.model.generate;

/**
 * Where a request's time went, in nanoseconds.
 *
 * @param queueNanos from submission until the engine started the request
 * @param prefillNanos running the prompt, up to the first token's logits
 * @param decodeNanos producing every later token
 */
public record GenerationTimings(long queueNanos, long prefillNanos, long decodeNanos) {
    /** Time to first token: queueing plus prefill. */
    public long timeToFirstTokenNanos() {
        return queueNanos + prefillNanos;
    }
}
