package dev.hovle.testkit;

import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;

/** Hands every metric a MiniCluster registers to {@link LocalMetrics}. */
final class LocalMetricsReporter implements MetricReporter {

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        LocalMetrics.add(group.getMetricIdentifier(name), group.getAllVariables(), metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        LocalMetrics.remove(group.getMetricIdentifier(name));
    }
}
