package dev.hovle.testkit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;

/**
 * The metrics of jobs running in this JVM's MiniCluster, read in place: the local runtime's status line and the
 * integration tests see exactly what a metrics reporter on a cluster would report.
 */
public final class LocalMetrics {
    private static final Map<String, Reading> METRICS = new ConcurrentHashMap<>();

    private LocalMetrics() {}

    /**
     * One registered metric.
     *
     * @param identifier its full scope and name, e.g. {@code ...generate.hovle.engine.queueDepth}
     * @param variables its scope variables, e.g. {@code <task_name>} and {@code <subtask_index>}
     * @param metric the live metric
     */
    public record Reading(String identifier, Map<String, String> variables, Metric metric) {

        /** The current value: a gauge's number, a counter's count, a meter's rate, a histogram's mean; NaN if none. */
        public double value() {
            if (metric instanceof Gauge<?> gauge) {
                return gauge.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
            }
            if (metric instanceof Counter counter) {
                return counter.getCount();
            }
            if (metric instanceof Meter meter) {
                return meter.getRate();
            }
            if (metric instanceof Histogram histogram) {
                return histogram.getCount() == 0 ? Double.NaN : histogram.getStatistics().getMean();
            }
            return Double.NaN;
        }

        /** A gauge's value as text (the serving model version). */
        public String text() {
            return metric instanceof Gauge<?> gauge ? String.valueOf(gauge.getValue()) : String.valueOf(value());
        }

        /** The task this metric belongs to, or empty for cluster-level metrics. */
        public String task() {
            return variables.getOrDefault("<task_name>", "");
        }
    }

    /** Adds the in-JVM reporter to a MiniCluster's configuration. */
    public static Configuration configure(Configuration conf) {
        conf.set(ConfigOptions.key("metrics.reporter.hovle_local.factory.class").stringType().noDefaultValue(),
                LocalMetricsReporterFactory.class.getName());
        return conf;
    }

    /** The metrics whose identifier ends with {@code suffix} (e.g. {@code hovle.engine.queueDepth}). */
    public static List<Reading> endingWith(String suffix) {
        return METRICS.values().stream().filter(r -> r.identifier().endsWith(suffix)).toList();
    }

    /** Sum of the values of the metrics ending with {@code suffix}; 0 when there are none. */
    public static double sum(String suffix) {
        return endingWith(suffix).stream().mapToDouble(Reading::value).filter(v -> !Double.isNaN(v)).sum();
    }

    /** Largest value of the metrics ending with {@code suffix} whose reading matches {@code filter}; NaN if none. */
    public static double max(String suffix, Predicate<Reading> filter) {
        return endingWith(suffix).stream().filter(filter).mapToDouble(Reading::value).filter(v -> !Double.isNaN(v))
                .max().orElse(Double.NaN);
    }

    static void add(String identifier, Map<String, String> variables, Metric metric) {
        METRICS.put(identifier, new Reading(identifier, Map.copyOf(variables), metric));
    }

    static void remove(String identifier) {
        METRICS.remove(identifier);
    }
}
