package dev.hovle.tools.golden;

import java.util.Locale;

/**
 * One checked quantity of a golden case.
 *
 * @param caseName the fixture folder
 * @param quantity what was compared (a tensor name, "greedy_tokens (KV cache)", a tile file...)
 * @param measure how it was compared ("max rel err", "mismatches", "pixels differing")
 * @param value the measured deviation
 * @param tolerance the largest deviation that passes
 */
public record GoldenRow(String caseName, String quantity, String measure, double value, double tolerance) {

    /** Whether the deviation is within tolerance. */
    public boolean passed() {
        return value <= tolerance;
    }

    /** A row for an exact comparison: 0 mismatches passes. */
    public static GoldenRow exact(String caseName, String quantity, long mismatches) {
        return new GoldenRow(caseName, quantity, "mismatches", mismatches, 0);
    }

    /** A row for a failure to compute the quantity at all. */
    public static GoldenRow error(String caseName, String quantity, Throwable error) {
        return new GoldenRow(caseName, quantity + " (" + error + ")", "error", Double.POSITIVE_INFINITY, 0);
    }

    /** The row as the table prints it. */
    public String format() {
        boolean fractional = measure.equals("max rel err") || measure.equals("rel err") || measure.equals("max abs err");
        String shown = fractional
                ? String.format(Locale.ROOT, "%.2e", value)
                : Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
        String limit = fractional
                ? String.format(Locale.ROOT, "%.0e", tolerance)
                : String.format(Locale.ROOT, "%.0f", tolerance);
        return String.format(Locale.ROOT, "%-28s %-52s %-16s %10s  <= %-6s %s", caseName, quantity, measure, shown, limit,
                passed() ? "PASS" : "FAIL");
    }
}
