package dev.hovle.tools.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The pipeline benchmark's rounds as a Markdown table and a summary: median ratios with their spread and 95%
 * confidence interval, the overhead they imply, and whether the pipeline needed the engine's number of steps.
 */
public final class OverheadReport {
    private final List<RoundComparison> rounds;

    /** A report of {@code rounds} (at least one). */
    public OverheadReport(List<RoundComparison> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds to report");
        }
        this.rounds = List.copyOf(rounds);
    }

    /** One row per round. */
    public String table() {
        StringBuilder out = new StringBuilder("| round | first | engine tok/s | pipeline tok/s | pipeline / engine "
                + "| whole burst | engine steps (engine, pipeline) | ms per step (engine, pipeline) | step time ratio |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (RoundComparison r : rounds) {
            out.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.1f%% | %.1f%% | %d, %d | %.2f, %.2f | %.1f%% |%n",
                    r.round(), r.first().name().toLowerCase(Locale.ROOT), r.engine().tokensPerSecond(),
                    r.pipeline().tokensPerSecond(), 100 * r.throughputRatio(), 100 * r.burstRatio(), r.engine().steps(),
                    r.pipeline().steps(), r.engine().meanStepMillis(), r.pipeline().meanStepMillis(),
                    100 * r.stepTimeRatio()));
        }
        return out.toString();
    }

    /** The medians, spreads and intervals, the overhead they imply, and the steps check. */
    public String summary() {
        MedianSummary steady = summarise(RoundComparison::throughputRatio);
        MedianSummary burst = summarise(RoundComparison::burstRatio);
        long fullRounds = rounds.stream().filter(RoundComparison::batchesAsFull).count();
        return String.join(System.lineSeparator(),
                "pipeline / engine tokens/s, first to last completion:    " + describe(steady),
                "pipeline / engine tokens/s, hand-over to last completion: " + describe(burst),
                "pipeline / engine time per engine step (inside the step): "
                        + describe(summarise(RoundComparison::stepTimeRatio)),
                "overhead (1 - median ratio): " + overhead(steady) + " first to last, " + overhead(burst)
                        + " hand-over to last",
                String.format(Locale.ROOT, "engine steps: the pipeline needed no more than the engine alone in %d of %d "
                        + "rounds (%d vs %d in all)", fullRounds, rounds.size(),
                        rounds.stream().mapToLong(r -> r.pipeline().steps()).sum(),
                        rounds.stream().mapToLong(r -> r.engine().steps()).sum()),
                String.format(Locale.ROOT, "first completion after hand-over, median: engine %.1f ms, pipeline %.1f ms",
                        1e3 * summarise(r -> r.engine().firstSeconds()).median(),
                        1e3 * summarise(r -> r.pipeline().firstSeconds()).median()));
    }

    private static String overhead(MedianSummary ratio) {
        MedianSummary o = ratio.complement();
        return String.format(Locale.ROOT, "%.1f%% (95%% CI %.1f%%..%.1f%%)", 100 * o.median(), 100 * o.ciLow(),
                100 * o.ciHigh());
    }

    private MedianSummary summarise(ToDoubleFunction<RoundComparison> value) {
        return MedianSummary.of(rounds.stream().mapToDouble(value).toArray());
    }

    private static String describe(MedianSummary s) {
        return String.format(Locale.ROOT, "median %.1f%%, IQR %.1f%%..%.1f%% (%.1f points), min..max %.1f%%..%.1f%%, "
                        + "95%% CI of the median %.1f%%..%.1f%% (coverage %.1f%%, %d rounds)",
                100 * s.median(), 100 * s.lowerQuartile(), 100 * s.upperQuartile(), 100 * s.interquartileRange(),
                100 * s.min(), 100 * s.max(), 100 * s.ciLow(), 100 * s.ciHigh(), 100 * s.ciCoverage(), s.count());
    }
}
