package dev.hovle.model.generate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Running counters of a batching engine: steps, batch occupancy, tokens, finishes. Thread-safe to read. */
public final class EngineStats {
    private final LongAdder steps = new LongAdder();
    private final LongAdder decodedTokens = new LongAdder();
    private final LongAdder prefillTokens = new LongAdder();
    private final LongAdder stepNanos = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final AtomicLong lastBatch = new AtomicLong();
    private final AtomicLong largestStepTokens = new AtomicLong();
    private final ConcurrentHashMap<Integer, long[]> pureDecode = new ConcurrentHashMap<>();

    void recordStep(int batch, int prefill, long nanos) {
        steps.increment();
        decodedTokens.add(batch);
        prefillTokens.add(prefill);
        stepNanos.add(nanos);
        lastBatch.set(batch);
        largestStepTokens.accumulateAndGet(batch + prefill, Math::max);
        if (prefill == 0 && batch > 0) {
            pureDecode.compute(batch, (b, v) -> v == null ? new long[] {1, nanos} : new long[] {v[0] + 1, v[1] + nanos});
        }
    }

    /** Mean time of the steps that only decoded, with exactly {@code batch} sequences; NaN when none ran. */
    public double meanDecodeStepNanos(int batch) {
        long[] v = pureDecode.get(batch);
        return v == null ? Double.NaN : (double) v[1] / v[0];
    }

    void recordFinished(Sequence s, FinishReason reason) {
        finished.increment();
    }

    /** Steps run. */
    public long steps() {
        return steps.sum();
    }

    /** Tokens decoded in batched steps. */
    public long decodedTokens() {
        return decodedTokens.sum();
    }

    /** Prompt positions run. */
    public long prefillTokens() {
        return prefillTokens.sum();
    }

    /** Total time spent in steps. */
    public long stepNanos() {
        return stepNanos.sum();
    }

    /** Requests completed. */
    public long finishedRequests() {
        return finished.sum();
    }

    /** Sequences decoded in the latest step (batch occupancy). */
    public long currentBatch() {
        return lastBatch.get();
    }

    /** The most positions any single step ran: bounded by the token budget. */
    public long largestStepTokens() {
        return largestStepTokens.get();
    }
}
