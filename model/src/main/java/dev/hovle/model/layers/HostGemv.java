package dev.hovle.model.layers;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ for a few rows of x against a float32 weight read straight from its memory-mapped checkpoint, with the
 * Java Vector API. Decode multiplies 1..32 rows by each weight matrix: libtorch's sgemm packs the whole weight
 * for every call at such sizes and runs 2-4x slower than one pass over the weight, which is what this does (each
 * weight row is loaded once and used for four rows of x while it sits in L1), with the output columns shared out
 * over the cores libtorch is allowed.
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
    /** Multiply-adds below which one more core costs more in hand-over than it saves. */
    private static final long MIN_WORK_PER_CORE = 1L << 18;
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private HostGemv() {}

    /** Whether the Vector API is present in this JVM. */
    static boolean available() {
        return AVAILABLE;
    }


    /** y (M × N) = x (M × K) · Wᵀ for W row-major (N × K) in {@code w}, on as many cores as libtorch uses. */
    static float[] multiply(float[] x, int rows, ByteBuffer w, int n, int k) {
        return multiply(x, rows, w, n, k, JniUtils.getNumThreads());
    }

    /**
     * The same on at most {@code threads} cores: the output columns are split into contiguous ranges, one per core,
     * each reading its own rows of W once. Every element is summed in the same order whatever the split, the batch or
     * the row's place in it, so a sequence's result never depends on what it was batched with.
     */
    static float[] multiply(float[] x, int rows, ByteBuffer w, int n, int k, int threads) {
        float[] y = new float[rows * n];
        long work = (long) rows * n * k;
        int parts = (int) Math.max(1, Math.min(Math.min(threads, n / 2), work / MIN_WORK_PER_CORE));
        if (parts == 1) {
            Kernel.columns(x, rows, w, n, k, y, 0, n);
            return y;
        }
        List<ForkJoinTask<?>> others = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = columnBoundary(n, parts, p);
            int to = columnBoundary(n, parts, p + 1);
            others.add(Workers.POOL.submit(() -> Kernel.columns(x, rows, w, n, k, y, from, to)));
        }
        Kernel.columns(x, rows, w, n, k, y, 0, columnBoundary(n, parts, 1)); // the calling thread takes a share
        others.forEach(ForkJoinTask::join);
        return y;
    }

    /** Start of part {@code p} of {@code parts}, even so that column pairs stay together. */
    private static int columnBoundary(int n, int parts, int p) {
        return p == parts ? n : (int) ((long) n * p / parts) & ~1;
    }

    /** Daemon workers for the columns the calling thread does not take; created on first parallel use. */
    private static final class Workers {
        static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                pool -> {
                    ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    thread.setDaemon(true);
                    thread.setName("hovle-gemv-" + thread.getPoolIndex());
                    return thread;
                }, null, false);
    }

    /** Holds the Vector API types, so this class loads only where the module exists. */
    private static final class Kernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        /**
         * Columns [from, to) of y. Two weight rows at a time against four rows of x: eight accumulators, and each
         * loaded vector feeds four (weight) or two (x) FMAs, six loads per eight FMAs (BENCHMARKS.md has what it
         * reaches).
         */
        static void columns(float[] x, int rows, ByteBuffer w, int n, int k, float[] y, int from, int to) {
            int col = from;
            for (; col + 2 <= to; col += 2) {
                int m = 0;
                for (; m + 4 <= rows; m += 4) {
                    fourRowsTwoColumns(x, m, w, n, k, y, col);
                }
                for (; m < rows; m++) {
                    y[m * n + col] = dot(x, m * k, w, col, k);
                    y[m * n + col + 1] = dot(x, m * k, w, col + 1, k);
                }
            }
            for (; col < to; col++) {
                for (int m = 0; m < rows; m++) {
                    y[m * n + col] = dot(x, m * k, w, col, k);
                }
            }
        }

        private static void fourRowsTwoColumns(float[] x, int m, ByteBuffer w, int n, int k, float[] y, int col) {
            int lanes = S.length();
            int vectorEnd = k - k % lanes;
            int base0 = col * k * 4;
            int base1 = base0 + k * 4;
            int x0 = m * k;
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S);
            FloatVector a30 = FloatVector.zero(S);
            FloatVector a01 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            FloatVector a21 = FloatVector.zero(S);
            FloatVector a31 = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += lanes) {
                FloatVector w0 = FloatVector.fromByteBuffer(S, w, base0 + i * 4, ByteOrder.LITTLE_ENDIAN);
                FloatVector w1 = FloatVector.fromByteBuffer(S, w, base1 + i * 4, ByteOrder.LITTLE_ENDIAN);
                FloatVector v = FloatVector.fromArray(S, x, x0 + i);
                a00 = w0.fma(v, a00);
                a01 = w1.fma(v, a01);
                v = FloatVector.fromArray(S, x, x0 + k + i);
                a10 = w0.fma(v, a10);
                a11 = w1.fma(v, a11);
                v = FloatVector.fromArray(S, x, x0 + 2 * k + i);
                a20 = w0.fma(v, a20);
                a21 = w1.fma(v, a21);
                v = FloatVector.fromArray(S, x, x0 + 3 * k + i);
                a30 = w0.fma(v, a30);
                a31 = w1.fma(v, a31);
            }
            y[m * n + col] = finish(a00, x, x0, w, base0, vectorEnd, k);
            y[m * n + col + 1] = finish(a01, x, x0, w, base1, vectorEnd, k);
            y[(m + 1) * n + col] = finish(a10, x, x0 + k, w, base0, vectorEnd, k);
            y[(m + 1) * n + col + 1] = finish(a11, x, x0 + k, w, base1, vectorEnd, k);
            y[(m + 2) * n + col] = finish(a20, x, x0 + 2 * k, w, base0, vectorEnd, k);
            y[(m + 2) * n + col + 1] = finish(a21, x, x0 + 2 * k, w, base1, vectorEnd, k);
            y[(m + 3) * n + col] = finish(a30, x, x0 + 3 * k, w, base0, vectorEnd, k);
            y[(m + 3) * n + col + 1] = finish(a31, x, x0 + 3 * k, w, base1, vectorEnd, k);
        }

        /** One element: the same vector accumulation and the same finish as the blocked path, so results agree bit for bit. */
        private static float dot(float[] x, int x0, ByteBuffer w, int col, int k) {
            int lanes = S.length();
            int vectorEnd = k - k % lanes;
            int base = col * k * 4;
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += lanes) {
                a = FloatVector.fromByteBuffer(S, w, base + i * 4, ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.fromArray(S, x, x0 + i), a);
            }
            return finish(a, x, x0, w, base, vectorEnd, k);
        }

        private static float finish(FloatVector sum, float[] x, int x0, ByteBuffer w, int base, int from, int k) {
            float s = 0;
            for (int i = from; i < k; i++) {
                s += w.getFloat(base + i * 4) * x[x0 + i];
            }
            return sum.reduceLanes(VectorOperators.ADD) + s;
        }
    }
}
