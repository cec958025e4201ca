package dev.hovle.operators.metrics;

import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.GenerationEngine;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The shared engine as gauges under {@code hovle.engine}: {@code queueDepth} (requests queued or running in the
 * engine, all slots together), {@code inFlight} (this subtask's), {@code batchOccupancy} (sequences in the latest
 * decode step over the batch limit, 0..1), {@code decodeSteps}, {@code meanStepMillis} (engine steps so far and their
 * mean time) and {@code modelVersion} (the serving version).
 */
public final class EngineGauges {
    private EngineGauges() {}

    /** Registers the gauges of {@code engine} under {@code group}. */
    public static void register(MetricGroup group, GenerationEngine engine, int maxConcurrency, IntSupplier inFlight) {
        MetricGroup g = group.addGroup("hovle").addGroup("engine");
        g.gauge("queueDepth", (Gauge<Integer>) engine::pendingRequests);
        g.gauge("inFlight", (Gauge<Integer>) inFlight::getAsInt);
        g.gauge("modelVersion", (Gauge<String>) engine::modelVersion);
        if (engine instanceof ContinuousBatchingEngine batching) {
            g.gauge("batchOccupancy", (Gauge<Double>) () -> (double) batching.stats().currentBatch() / maxConcurrency);
            g.gauge("decodeSteps", (Gauge<Long>) () -> batching.stats().steps());
            g.gauge("meanStepMillis", (Gauge<Double>) () -> batching.stats().steps() == 0 ? 0
                    : batching.stats().stepNanos() / 1e6 / batching.stats().steps());
        } else {
            // An engine that runs one request at a time is fully occupied whenever it has one.
            g.gauge("batchOccupancy", (Gauge<Double>) () -> Math.min(engine.pendingRequests(), maxConcurrency)
                    / (double) maxConcurrency);
        }
    }
}
