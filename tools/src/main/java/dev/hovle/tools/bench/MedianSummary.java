package dev.hovle.tools.bench;

import java.util.Arrays;

/**
 * The median of repeated measurements with its spread and a distribution-free 95% confidence interval: on a noisy
 * machine the mean follows the few rounds another job disturbed, the median and its order-statistic interval do not.
 *
 * @param count how many values
 * @param median the middle value (the mean of the two middle ones for an even count)
 * @param lowerQuartile the 25th percentile, linearly interpolated between order statistics
 * @param upperQuartile the 75th percentile, likewise
 * @param min the smallest value
 * @param max the largest value
 * @param ciLow the lower end of the median's confidence interval, an order statistic
 * @param ciHigh the upper end, the symmetric order statistic
 * @param ciCoverage the interval's exact coverage under the binomial law (at least 0.95 from six values on; below
 *     that no pair of order statistics reaches 95% and the interval is min..max)
 */
public record MedianSummary(int count, double median, double lowerQuartile, double upperQuartile, double min,
        double max, double ciLow, double ciHigh, double ciCoverage) {

    private static final double CONFIDENCE = 0.95;

    /** The summary of {@code values} (at least one; the array is not modified). */
    public static MedianSummary of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to summarise");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int k = medianIntervalRank(n);
        return new MedianSummary(n, quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75), sorted[0],
                sorted[n - 1], sorted[k - 1], sorted[n - k], coverage(n, k));
    }

    /** The interquartile range, upper minus lower quartile. */
    public double interquartileRange() {
        return upperQuartile - lowerQuartile;
    }

    /** The same summary of {@code 1 - value}: the ends swap, so an overhead's interval follows from a ratio's. */
    public MedianSummary complement() {
        return new MedianSummary(count, 1 - median, 1 - upperQuartile, 1 - lowerQuartile, 1 - max, 1 - min, 1 - ciHigh,
                1 - ciLow, ciCoverage);
    }

    /** The {@code p} quantile of sorted values, interpolated between neighbours (R's and NumPy's default, type 7). */
    static double quantile(double[] sorted, double p) {
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /**
     * The largest rank {@code k} (1-based) such that the k-th smallest and k-th largest of {@code n} values enclose the
     * median with probability at least 95%. The true median lies outside when fewer than k values fall below it or
     * fewer than k above; each value falls below with probability one half, so the miss probability is
     * {@code 2 P(Binomial(n, 1/2) < k)}. Returns 1 (min..max) when even that misses more than 5%.
     */
    static int medianIntervalRank(int n) {
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= CONFIDENCE) {
            k++;
        }
        return k;
    }

    /** Probability that the k-th smallest and k-th largest of n values enclose the median. */
    static double coverage(int n, int k) {
        return 1 - 2 * binomialHalfBelow(n, k);
    }

    /** {@code P(Binomial(n, 1/2) < k)}, from the exact terms C(n, i) / 2^n. */
    private static double binomialHalfBelow(int n, int k) {
        double term = Math.pow(0.5, n);
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += term;
            term = term * (n - i) / (i + 1);
        }
        return sum;
    }
}
