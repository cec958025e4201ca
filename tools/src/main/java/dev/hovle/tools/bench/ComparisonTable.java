package dev.hovle.tools.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The llama.cpp comparison's table: per round each side's time per token and effective bandwidth, and the ratio
 * HoVLE GB/s ÷ llama.cpp GB/s (above 1: HoVLE streams its weights faster), then the ratio's median and spread.
 *
 * @param llamaStepBytes bytes of weights llama.cpp reads per token
 * @param hovleStepBytes bytes of weights HoVLE reads per batch-1 step
 */
record ComparisonTable(long llamaStepBytes, long hovleStepBytes) {

    void print(PrintStream out, List<LlamaCppComparison.Round> rounds) {
        out.println("| round | llama.cpp tok/s | llama.cpp ms/token | llama.cpp GB/s | HoVLE ms/step | HoVLE GB/s | ratio |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|");
        double[] ratios = new double[rounds.size()];
        double[] timeRatios = new double[rounds.size()];
        for (int i = 0; i < rounds.size(); i++) {
            LlamaCppComparison.Round r = rounds.get(i);
            double llamaMs = 1000 / r.llamaTokensPerSecond();
            double llamaGbps = gigabytesPerSecond(llamaStepBytes, llamaMs);
            double hovleGbps = gigabytesPerSecond(hovleStepBytes, r.hovleMsPerStep());
            ratios[i] = hovleGbps / llamaGbps;
            timeRatios[i] = r.hovleMsPerStep() / llamaMs;
            out.printf(Locale.ROOT, "| %d | %.2f | %.1f | %.2f | %.1f | %.2f | %.3f |%n", r.round(),
                    r.llamaTokensPerSecond(), llamaMs, llamaGbps, r.hovleMsPerStep(), hovleGbps, ratios[i]);
        }
        Arrays.sort(ratios);
        Arrays.sort(timeRatios);
        out.printf(Locale.ROOT, "ratio (HoVLE GB/s / llama.cpp GB/s): median %.3f, spread %.3f-%.3f over %d rounds%n",
                median(ratios), ratios[0], ratios[ratios.length - 1], ratios.length);
        // The models differ in size (and may differ in dtype), so the bandwidth ratio is not the speed ratio.
        out.printf(Locale.ROOT, "time per token (HoVLE ms / llama.cpp ms): median %.3f, spread %.3f-%.3f%n",
                median(timeRatios), timeRatios[0], timeRatios[timeRatios.length - 1]);
    }

    private static double gigabytesPerSecond(long bytes, double millis) {
        return bytes / 1e9 / (millis / 1000);
    }

    /** Median of sorted values. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
