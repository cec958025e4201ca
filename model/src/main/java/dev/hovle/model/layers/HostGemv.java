package dev.hovle.model.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ for a few rows of x against a float32 weight read straight from its memory-mapped checkpoint, with the
 * Java Vector API. Decode multiplies 1..32 rows by each weight matrix: libtorch's sgemm packs the whole weight
 * for every call at such sizes and runs 2-4x slower than one pass over the weight, which is what this does (each
 * weight row is loaded once and used for four rows of x while it sits in L1).
 *
 * <p>Only used when the JVM has {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}); the
 * reference path (libtorch's linear) is kept beside it and the tests compare the two.
 */
public final class HostGemv {
    /** Most rows of x this kernel takes; beyond, libtorch's blocked GEMM wins. */
    static final int MAX_ROWS = 32;
    /** Fewest rows: for one row libtorch's gemv already streams the weight at full speed. */
    static final int MIN_ROWS = 2;
    // Keyed by the array's uid: NDArray equality and hashing may touch native memory that is already freed.
    private static final Map<String, ByteBuffer> HOST_VIEWS = new ConcurrentHashMap<>();
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private HostGemv() {}

    /** Whether the Vector API is present in this JVM. */
    static boolean available() {
        return AVAILABLE;
    }

    /** Remembers the little-endian float32 bytes behind a read-only weight array. */
    public static void register(NDArray weight, ByteBuffer littleEndianFloats) {
        HOST_VIEWS.put(weight.getUid(), littleEndianFloats);
    }

    /** Forgets a weight (its model is closing), releasing its mapping. */
    public static void unregister(NDArray weight) {
        HOST_VIEWS.remove(weight.getUid());
    }

    /** The host bytes of a weight, or null when it has none (copies, other dtypes, GPU). */
    static ByteBuffer hostView(NDArray weight) {
        return AVAILABLE ? HOST_VIEWS.get(weight.getUid()) : null;
    }

    /** y (M × N) = x (M × K) · Wᵀ for W row-major (N × K) in {@code w}. */
    static float[] multiply(float[] x, int rows, ByteBuffer w, int n, int k) {
        return Kernel.multiply(x, rows, w, n, k);
    }

    /** Holds the Vector API types, so this class loads only where the module exists. */
    private static final class Kernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        static float[] multiply(float[] x, int rows, ByteBuffer w, int n, int k) {
            float[] y = new float[rows * n];
            int lanes = S.length();
            int vectorEnd = k - k % lanes;
            for (int col = 0; col < n; col++) {
                int base = col * k * 4;
                int m = 0;
                for (; m + 4 <= rows; m += 4) {
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector a1 = FloatVector.zero(S);
                    FloatVector a2 = FloatVector.zero(S);
                    FloatVector a3 = FloatVector.zero(S);
                    int x0 = m * k;
                    for (int i = 0; i < vectorEnd; i += lanes) {
                        FloatVector wv = FloatVector.fromByteBuffer(S, w, base + i * 4, ByteOrder.LITTLE_ENDIAN);
                        a0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                        a1 = wv.fma(FloatVector.fromArray(S, x, x0 + k + i), a1);
                        a2 = wv.fma(FloatVector.fromArray(S, x, x0 + 2 * k + i), a2);
                        a3 = wv.fma(FloatVector.fromArray(S, x, x0 + 3 * k + i), a3);
                    }
                    y[m * n + col] = a0.reduceLanes(VectorOperators.ADD) + tail(x, x0, w, base, vectorEnd, k);
                    y[(m + 1) * n + col] = a1.reduceLanes(VectorOperators.ADD) + tail(x, x0 + k, w, base, vectorEnd, k);
                    y[(m + 2) * n + col] = a2.reduceLanes(VectorOperators.ADD) + tail(x, x0 + 2 * k, w, base, vectorEnd, k);
                    y[(m + 3) * n + col] = a3.reduceLanes(VectorOperators.ADD) + tail(x, x0 + 3 * k, w, base, vectorEnd, k);
                }
                for (; m < rows; m++) {
                    FloatVector a0 = FloatVector.zero(S);
                    int x0 = m * k;
                    for (int i = 0; i < vectorEnd; i += lanes) {
                        a0 = FloatVector.fromByteBuffer(S, w, base + i * 4, ByteOrder.LITTLE_ENDIAN)
                                .fma(FloatVector.fromArray(S, x, x0 + i), a0);
                    }
                    y[m * n + col] = a0.reduceLanes(VectorOperators.ADD) + tail(x, x0, w, base, vectorEnd, k);
                }
            }
            return y;
        }

        private static float tail(float[] x, int x0, ByteBuffer w, int base, int from, int k) {
            float s = 0;
            for (int i = from; i < k; i++) {
                s += w.getFloat(base + i * 4) * x[x0 + i];
            }
            return s;
        }
    }
}
