package dev.hovle.testkit;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/** Creates the {@link LocalMetricsReporter}; Flink instantiates it by name from the configuration. */
public final class LocalMetricsReporterFactory implements MetricReporterFactory {

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new LocalMetricsReporter();
    }
}
