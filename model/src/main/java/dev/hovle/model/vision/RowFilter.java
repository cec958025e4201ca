package dev.hovle.model.vision;

import java.util.Arrays;

/**
 * The one filtering step of both resampler passes: output row {@code o} is the fixed-point weighted sum of input
 * rows {@code first[o] … first[o] + count[o] − 1}, element by element, rounded and clamped to 8 bits as Pillow does.
 * The vertical pass applies it to image rows, the horizontal pass to transposed bands of them.
 *
 * <p>Runs on the Java Vector API when the JVM has {@code jdk.incubator.vector} ({@code --add-modules
 * jdk.incubator.vector}, which {@code ./hovle} and the tests pass), else on {@link #scalar}, the reference it is
 * tested against. Both compute the same integer sums, so they agree bit for bit.
 */
final class RowFilter {

    /** Fractional bits of the fixed-point weights: 32 − 8 (sample) − 2 (headroom for negative lobes). */
    static final int PRECISION_BITS = 22;

    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private RowFilter() {}

    /**
     * Filters {@code length} bytes of every output row.
     *
     * @param src input rows, row {@code r} starting at {@code r * srcStride}
     * @param dst output rows, row {@code o} starting at {@code o * dstStride}
     */
    static void apply(byte[] src, int srcStride, int length, BicubicResampler.Weights w, byte[] dst, int dstStride) {
        if (VECTOR) {
            VectorRowFilter.apply(src, srcStride, length, w, dst, dstStride);
        } else {
            scalar(src, srcStride, length, w, dst, dstStride, 0);
        }
    }

    /**
     * The plain loop, from byte {@code from} of each row on; also the vector kernel's tail. Sums whole rows tap by
     * tap (the same integer sums as Pillow's per-pixel loop, in a cache-friendly order).
     */
    static void scalar(byte[] src, int srcStride, int length, BicubicResampler.Weights w, byte[] dst, int dstStride,
            int from) {
        int[] sums = new int[length - from];
        for (int o = 0; o < w.first().length; o++) {
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
            for (int t = 0; t < w.count()[o]; t++) {
                int c = w.fixed()[o * w.stride() + t];
                int s = (w.first()[o] + t) * srcStride + from;
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += (src[s + i] & 0xFF) * c;
                }
            }
            for (int i = 0, d = o * dstStride + from; i < sums.length; i++) {
                dst[d + i] = clip8(sums[i]);
            }
        }
    }

    /** Drops the fraction of a fixed-point sum and clamps it to 0..255. */
    static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
