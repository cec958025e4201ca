package dev.hovle.model.vision;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowFilter} on the Vector API: a vector of bytes is widened to ints, and the taps' products are summed in a
 * register, so each output byte costs one widening load, multiply and add per tap instead of a scalar chain.
 * Loaded only when the JVM has {@code jdk.incubator.vector}.
 */
final class VectorRowFilter {

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** As many bytes as {@link #INTS} has lanes: one load fills one int vector. */
    private static final VectorSpecies<Byte> BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(INTS.length() * Byte.SIZE));

    private VectorRowFilter() {}

    static void apply(byte[] src, int srcStride, int length, BicubicResampler.Weights w, byte[] dst, int dstStride) {
        int lanes = INTS.length();
        int vectorEnd = length - length % lanes;
        IntVector half = IntVector.broadcast(INTS, 1 << (RowFilter.PRECISION_BITS - 1));
        for (int o = 0; o < w.first().length; o++) {
            int k = o * w.stride();
            int n = w.count()[o];
            int rowIn = w.first()[o] * srcStride;
            int rowOut = o * dstStride;
            for (int i = 0; i < vectorEnd; i += lanes) {
                IntVector sum = half;
                for (int t = 0, s = rowIn + i; t < n; t++, s += srcStride) {
                    IntVector samples = (IntVector) ByteVector.fromArray(BYTES, src, s)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    sum = sum.add(samples.and(0xFF).mul(w.fixed()[k + t]));
                }
                IntVector clamped = sum.lanewise(VectorOperators.ASHR, RowFilter.PRECISION_BITS).max(0).min(255);
                ((ByteVector) clamped.convertShape(VectorOperators.I2B, BYTES, 0)).intoArray(dst, rowOut + i);
            }
        }
        if (vectorEnd < length) {
            RowFilter.scalar(src, srcStride, length, w, dst, dstStride, vectorEnd);
        }
    }
}
