package dev.hovle.tools.golden;

/** The deviation measures of the golden README: relative error of a tensor and count of unequal ids. */
public final class Deviation {
    private Deviation() {}

    /** max |actual − expected| / max |expected|, or infinity when the lengths differ. */
    public static double maxRelativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(diff)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, diff);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /** Positions where the sequences differ, counting a length difference as mismatches. */
    public static long mismatches(long[] actual, long[] expected) {
        long count = Math.abs(actual.length - expected.length);
        for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
            if (actual[i] != expected[i]) {
                count++;
            }
        }
        return count;
    }
}
