package dev.hovle.tools.cluster;

import dev.hovle.web.JobGauges;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * The jobs' gauges as the JobManager's REST API reports them (what its web UI shows), for the live page beside a
 * cluster: the engines' queue and batch occupancy, tokens per second, the sources' back-pressure and the trainer's
 * step and loss, each aggregated over the subtasks of every running job. The JobManager refreshes what it serves
 * every {@code metrics.fetcher.update-interval} (10 s by default), so a job that just started has none yet.
 */
public final class FlinkRestGauges implements JobGauges {
    /** What each page gauge is, by the suffix of the Flink metric, and how subtasks and jobs add up. */
    private record Gauge(String page, String metric, String aggregation, BinaryOperator<Double> across) {}

    private static final List<Gauge> GAUGES = List.of(
            new Gauge(QUEUE_DEPTH, "hovle.engine.queueDepth", "max", Math::max),
            new Gauge(BATCH_OCCUPANCY, "hovle.engine.batchOccupancy", "max", Math::max),
            new Gauge(TOKENS_PER_SECOND, "hovle.generation.tokensPerSecond", "sum", Double::sum),
            new Gauge(TIME_TO_FIRST_TOKEN, "hovle.generation.timeToFirstTokenMillis", "max", Math::max),
            new Gauge(TRAINING_STEP, "hovle.training.step", "max", Math::max),
            new Gauge(TRAINING_LOSS, "hovle.training.loss", "max", Math::max),
            new Gauge(TRAINING_SAMPLES_PER_SECOND, "hovle.training.samplesPerSecond", "max", Math::max));
    private static final String BACK_PRESSURE = "backPressuredTimeMsPerSecond";

    private final FlinkRest rest;

    public FlinkRestGauges(FlinkRest rest) {
        this.rest = rest;
    }

    @Override
    public Map<String, Double> read() {
        Map<String, Double> values = new LinkedHashMap<>();
        List<FlinkRest.Job> jobs;
        try {
            jobs = rest.jobs();
        } catch (IOException e) {
            return Map.of(); // the JobManager is away: the page says it has no gauges rather than stale ones
        }
        for (FlinkRest.Job job : jobs) {
            if (job.state().equals("RUNNING")) {
                try {
                    for (FlinkRest.Vertex vertex : rest.vertices(job.id())) {
                        read(job.id(), vertex, values);
                    }
                } catch (IOException e) {
                    // the job ended or restarts between two calls: its gauges come back with the next read
                }
            }
        }
        return values;
    }

    private void read(String jobId, FlinkRest.Vertex vertex, Map<String, Double> values) throws IOException {
        List<String> names = rest.subtaskMetricNames(jobId, vertex.id());
        for (Gauge gauge : GAUGES) {
            for (String name : names) {
                if (name.endsWith(gauge.metric())) {
                    Double value = rest.subtaskMetric(jobId, vertex.id(), name, gauge.aggregation());
                    if (value != null) {
                        values.merge(gauge.page(), value, gauge.across());
                    }
                }
            }
        }
        if (vertex.name().startsWith("Source:") && names.contains(BACK_PRESSURE)) {
            Double millisPerSecond = rest.subtaskMetric(jobId, vertex.id(), BACK_PRESSURE, "max");
            if (millisPerSecond != null) {
                values.merge(SOURCE_BACK_PRESSURE, millisPerSecond / 1000, Math::max);
            }
        }
    }
}
