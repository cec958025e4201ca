package dev.hovle.tools.local;

import dev.hovle.testkit.LocalMetrics;
import dev.hovle.web.JobGauges;
import java.util.LinkedHashMap;
import java.util.Map;

/** The jobs' gauges as the MiniClusters of this JVM report them: what the status line and the web page show. */
final class LocalGauges implements JobGauges {

    @Override
    public Map<String, Double> read() {
        Map<String, Double> values = new LinkedHashMap<>();
        put(values, QUEUE_DEPTH, LocalMetrics.max("hovle.engine.queueDepth", r -> true));
        put(values, BATCH_OCCUPANCY, LocalMetrics.max("hovle.engine.batchOccupancy", r -> true));
        if (!LocalMetrics.endingWith("hovle.generation.tokensPerSecond").isEmpty()) {
            values.put(TOKENS_PER_SECOND, LocalMetrics.sum("hovle.generation.tokensPerSecond"));
        }
        put(values, TIME_TO_FIRST_TOKEN, LocalMetrics.max("hovle.generation.timeToFirstTokenMillis", r -> true));
        // Flink reports back-pressure as milliseconds per second; the page wants a share.
        put(values, SOURCE_BACK_PRESSURE,
                LocalMetrics.max("backPressuredTimeMsPerSecond", r -> r.task().startsWith("Source:")) / 1000);
        put(values, TRAINING_STEP, LocalMetrics.max("hovle.training.step", r -> true));
        put(values, TRAINING_LOSS, LocalMetrics.max("hovle.training.loss", r -> true));
        put(values, TRAINING_SAMPLES_PER_SECOND, LocalMetrics.max("hovle.training.samplesPerSecond", r -> true));
        return values;
    }

    /** The version the engine serves now, or "-" before the job has started. */
    String servingVersion() {
        return LocalMetrics.endingWith("hovle.engine.modelVersion").stream().map(LocalMetrics.Reading::text)
                .findFirst().orElse("-");
    }

    private static void put(Map<String, Double> values, String name, double value) {
        if (!Double.isNaN(value)) {
            values.put(name, value);
        }
    }
}
