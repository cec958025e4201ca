package dev.hovle.tools.bench;

import dev.hovle.tools.bench.RoundOrder.Side;

/**
 * One round of the pipeline benchmark: the same requests through the engine alone and through the whole job.
 *
 * @param round counted from 1
 * @param first the side that ran first
 * @param engine the engine alone
 * @param pipeline the whole job
 */
public record RoundComparison(int round, Side first, RunFigures engine, RunFigures pipeline) {

    /** Pipeline tokens/s over the engine's, between first and last completion (steady state): 1 means no overhead. */
    public double throughputRatio() {
        return pipeline.tokensPerSecond() / engine.tokensPerSecond();
    }

    /**
     * The engine's time from hand-over to last completion over the pipeline's: the same ratio for the whole burst,
     * including the time the pipeline takes to fetch, decode and prepare its first requests (both sides generate the
     * same tokens, so the ratio of times is the ratio of rates).
     */
    public double burstRatio() {
        return engine.spanSeconds() / pipeline.spanSeconds();
    }

    /**
     * Engine time per step in the pipeline over that of the engine alone: above 1 when the job's other threads slow
     * the engine's own steps down by competing for the cores, rather than by leaving it waiting for work.
     */
    public double stepTimeRatio() {
        return pipeline.meanStepMillis() / engine.meanStepMillis();
    }

    /** Whether the pipeline's engine needed no more steps than the engine alone (its batches were as full). */
    public boolean batchesAsFull() {
        return pipeline.steps() <= engine.steps();
    }
}
