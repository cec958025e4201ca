package dev.hovle.operators.metrics;

import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.GenerationTimings;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Per-result generation metrics under {@code hovle.generation}: histograms {@code timeToFirstTokenMillis} (from
 * preparation done to the first token), {@code prefillMillis}, {@code decodeMillis}, {@code requestTokensPerSecond}
 * (one request's decode speed), and meters {@code tokensPerSecond} (all generated tokens) and
 * {@code resultsPerSecond}, both over the last 10 s.
 */
public final class GenerationMetrics {
    private static final int WINDOW = 1000;
    private static final int RATE_SECONDS = 10;

    private final Histogram timeToFirstToken;
    private final Histogram prefill;
    private final Histogram decode;
    private final Histogram requestTokensPerSecond;
    private final Counter tokens;
    private final Counter results;

    /** Registers the metrics under {@code group}. */
    public GenerationMetrics(MetricGroup group) {
        MetricGroup g = group.addGroup("hovle").addGroup("generation");
        timeToFirstToken = g.histogram("timeToFirstTokenMillis", new DescriptiveStatisticsHistogram(WINDOW));
        prefill = g.histogram("prefillMillis", new DescriptiveStatisticsHistogram(WINDOW));
        decode = g.histogram("decodeMillis", new DescriptiveStatisticsHistogram(WINDOW));
        requestTokensPerSecond = g.histogram("requestTokensPerSecond", new DescriptiveStatisticsHistogram(WINDOW));
        tokens = g.counter("tokens");
        results = g.counter("results");
        // A 10 s window, not the default minute: the local runtime's status line should follow load changes.
        g.meter("tokensPerSecond", new MeterView(tokens, RATE_SECONDS));
        g.meter("resultsPerSecond", new MeterView(results, RATE_SECONDS));
    }

    /** Records one finished generation that waited {@code waitMillis} before reaching the engine. */
    public void record(GenerationResult result, long waitMillis) {
        GenerationTimings t = result.timings();
        timeToFirstToken.update(waitMillis + t.timeToFirstTokenNanos() / 1_000_000);
        prefill.update(t.prefillNanos() / 1_000_000);
        decode.update(t.decodeNanos() / 1_000_000);
        int generated = result.tokens().length;
        if (generated > 1 && t.decodeNanos() > 0) {
            requestTokensPerSecond.update(Math.round((generated - 1) * 1e9 / t.decodeNanos()));
        }
        tokens.inc(generated);
        results.inc();
    }
}
