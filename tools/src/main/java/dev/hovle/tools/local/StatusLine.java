package dev.hovle.tools.local;

import dev.hovle.testkit.LocalMetrics;
import dev.hovle.web.JobGauges;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The local runtime's periodic line: throughput, latency, engine load and back-pressure, from the job's metrics. */
final class StatusLine {
    private final ResultPrinter printer;
    private final ShapesQuestions shapes;
    private final HostileFeed hostile;
    private final LocalGauges gauges = new LocalGauges();
    private final long startedNanos = System.nanoTime();
    private long lastNanos = startedNanos;
    private long lastResults;

    /**
     * @param shapes the shapes questions being scored, or null without training
     * @param hostile the hostile records being sent, or null
     */
    StatusLine(ResultPrinter printer, ShapesQuestions shapes, HostileFeed hostile) {
        this.printer = printer;
        this.shapes = shapes;
        this.hostile = hostile;
    }

    /** The line for now; each call measures the rate since the previous one. */
    String next() {
        long now = System.nanoTime();
        long results = printer.captions() + printer.answers();
        double rate = (results - lastResults) / ((now - lastNanos) / 1e9);
        lastNanos = now;
        lastResults = results;
        Map<String, Double> g = gauges.read();
        double latency = printer.meanLatencyMillis();
        String line = String.format(Locale.ROOT, "-- %3.0f s | %d results (%.1f/s): %d captions, %d answers | %d dead letters"
                        + " | e2e %s | engine queue %.0f, batch %.0f%%, %.0f tok/s, TTFT %s | source back-pressure %.0f%%",
                (now - startedNanos) / 1e9, results, rate, printer.captions(), printer.answers(),
                printer.deadLetters(), Double.isNaN(latency) ? "-" : String.format(Locale.ROOT, "%.1f s", latency / 1000),
                g.getOrDefault(JobGauges.QUEUE_DEPTH, 0.0), 100 * g.getOrDefault(JobGauges.BATCH_OCCUPANCY, 0.0),
                g.getOrDefault(JobGauges.TOKENS_PER_SECOND, 0.0), millis(g.get(JobGauges.TIME_TO_FIRST_TOKEN)),
                100 * g.getOrDefault(JobGauges.SOURCE_BACK_PRESSURE, 0.0));
        if (hostile != null) {
            // What a soak watches: hostile records must not restart a job or grow memory.
            line += String.format(Locale.ROOT, "%n-- %d hostile records sent | job restarts %.0f | heap %.0f MiB, "
                            + "RSS %.0f MiB", hostile.sent(), orZero(LocalMetrics.sum("numRestarts")),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0,
                    residentMiB());
        }
        if (shapes == null) {
            return line;
        }
        return line + String.format(Locale.ROOT, "%n-- training step %.0f, loss %.3f, %.1f samples/s, serving %s | "
                        + "shapes answers right by version: %s",
                g.getOrDefault(JobGauges.TRAINING_STEP, 0.0), g.getOrDefault(JobGauges.TRAINING_LOSS, Double.NaN),
                g.getOrDefault(JobGauges.TRAINING_SAMPLES_PER_SECOND, 0.0), gauges.servingVersion(), shapes.scores());
    }

    /** This process's resident set from /proc, or NaN where there is none. */
    private static double residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }

    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static String millis(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.0f ms", value);
    }
}
