package dev.hovle.model.layers;

import ai.djl.pytorch.jni.JniUtils;
import dev.hovle.model.weights.HostMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ for a few rows of x against a weight read straight from its memory-mapped checkpoint, float32 or
 * bfloat16, with the Java Vector API. Decode multiplies 1..32 rows by each weight matrix: libtorch's sgemm packs
 * the whole weight for every call at such sizes and runs 2-4x slower than one pass over the weight, which is what
 * this does (each weight row is loaded once and used for up to four rows of x while it sits in L1), with the
 * output columns shared out over the cores libtorch is allowed. A bfloat16 weight is widened in registers (a 16-bit
 * shift) and accumulated in float32, so it streams half the bytes of float32.
 *
 * <p>Only used when the JVM has {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}); the
 * reference path (libtorch's linear) is kept beside it and the tests compare the two.
 */
public final class HostGemv {
    /** Most rows of x this kernel takes; beyond, libtorch's blocked GEMM wins. */
    static final int MAX_ROWS = 32;
    /** Multiply-adds below which one more core costs more in hand-over than it saves. */
    private static final long MIN_WORK_PER_CORE = 1L << 18;
    /** Output columns per kernel block: a core's share of the columns starts on a multiple of this. */
    private static final int COLUMN_BLOCK = 4;
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private HostGemv() {}

    /** Whether the Vector API is present in this JVM. */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Whether this kernel multiplies {@code rows} rows of x by {@code w} (else libtorch does). */
    static boolean takes(HostMatrix w, long rows) {
        return AVAILABLE && rows >= 1 && rows <= MAX_ROWS;
    }

    /** y (M × N) = x (M × K) · Wᵀ for W (N × K), on as many cores as libtorch uses. */
    static float[] multiply(float[] x, int rows, HostMatrix w) {
        return multiply(x, rows, w, JniUtils.getNumThreads());
    }

    /**
     * The same on at most {@code threads} cores: the output columns are split into contiguous ranges, one per core,
     * each reading its own rows of W once. Every element is summed in the same order whatever the split, the batch or
     * the row's place in it, so a sequence's result never depends on what it was batched with.
     */
    static float[] multiply(float[] x, int rows, HostMatrix w, int threads) {
        int n = w.rows();
        int k = w.columns();
        float[] xs = w.isBf16() ? Kernel.evenOddBlocks(x, rows, k) : x;
        float[] y = new float[rows * n];
        long work = (long) rows * n * k;
        int parts = (int) Math.max(1, Math.min(Math.min(threads, n / COLUMN_BLOCK), work / MIN_WORK_PER_CORE));
        inParallel(parts, p -> Kernel.columns(xs, rows, w, y, columnBoundary(n, parts, p),
                columnBoundary(n, parts, p + 1)));
        return y;
    }

    /**
     * Rows [from, from + count) of a bfloat16 {@code w} widened to float32 into {@code out} (little-endian, row
     * after row), on as many cores as libtorch uses: how prefill gets a block of a bf16 weight libtorch can
     * multiply.
     */
    static void widenRows(HostMatrix w, int from, int count, ByteBuffer out) {
        int parts = (int) Math.max(1, Math.min(JniUtils.getNumThreads(), (long) count * w.columns() / MIN_WORK_PER_CORE));
        inParallel(parts, p -> {
            int start = (int) ((long) count * p / parts);
            int end = (int) ((long) count * (p + 1) / parts);
            Kernel.widen(w, from + start, end - start, out, (long) start * w.columns());
        });
    }

    /** Runs part 0 on the calling thread and parts 1.. on the pool, and returns when all are done. */
    private static void inParallel(int parts, java.util.function.IntConsumer part) {
        if (parts == 1) {
            part.accept(0);
            return;
        }
        List<ForkJoinTask<?>> others = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int index = p;
            others.add(Workers.POOL.submit(() -> part.accept(index)));
        }
        part.accept(0);
        others.forEach(ForkJoinTask::join);
    }

    /** Start of part {@code p} of {@code parts}, on a column block boundary. */
    private static int columnBoundary(int n, int parts, int p) {
        return p == parts ? n : (int) ((long) n * p / parts) & -COLUMN_BLOCK;
    }

    /** Daemon workers for the parts the calling thread does not take; created on first parallel use. */
    private static final class Workers {
        static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                pool -> {
                    ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    thread.setDaemon(true);
                    thread.setName("hovle-gemv-" + thread.getPoolIndex());
                    return thread;
                }, null, false);
    }

    /**
     * Holds the Vector API types, so this class loads only where the module exists.
     *
     * <p>Every output element has one accumulator and sees the same sequence of fused multiply-adds in every code
     * path (four rows by two columns, one row by four, one by one), then the same finish: results are bit-identical
     * whichever path computed them.
     *
     * <p>bfloat16: a vector of L ints holds 2L consecutive weights; shifting each int left by 16 gives the even ones
     * as floats, masking off its low half the odd ones. x is reordered once per call to match (each block of 2L
     * elements: its L even ones, then its L odd ones), so the weight needs no shuffle at all.
     */
    private static final class Kernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final VectorSpecies<Integer> PAIRS = IntVector.SPECIES_PREFERRED;
        private static final VectorSpecies<Short> HALF = S.length() == 16 ? ShortVector.SPECIES_256
                : S.length() == 8 ? ShortVector.SPECIES_128 : ShortVector.SPECIES_64;
        private static final int ODD_HALVES = 0xFFFF0000;

        /** Columns [from, to) of y. */
        static void columns(float[] x, int rows, HostMatrix w, float[] y, int from, int to) {
            ByteBuffer b = w.bytes();
            int n = w.rows();
            int k = w.columns();
            boolean bf16 = w.isBf16();
            int blocked = rows - rows % 4;
            int col = from;
            for (; col + COLUMN_BLOCK <= to; col += COLUMN_BLOCK) {
                for (int m = 0; m < blocked; m += 4) {
                    if (bf16) {
                        fourRowsTwoColumnsBf16(x, m, b, n, k, y, col);
                        fourRowsTwoColumnsBf16(x, m, b, n, k, y, col + 2);
                    } else {
                        fourRowsTwoColumns(x, m, b, n, k, y, col);
                        fourRowsTwoColumns(x, m, b, n, k, y, col + 2);
                    }
                }
                for (int m = blocked; m < rows; m++) {
                    if (bf16) {
                        oneRowFourColumnsBf16(x, m, b, n, k, y, col);
                    } else {
                        oneRowFourColumns(x, m, b, n, k, y, col);
                    }
                }
            }
            for (; col < to; col++) {
                for (int m = 0; m < rows; m++) {
                    y[m * n + col] = bf16 ? dotBf16(x, m * k, b, col, k) : dot(x, m * k, b, col, k);
                }
            }
        }

        // ---- float32 weights

        /** Two weight rows against four rows of x: eight accumulators, six loads per eight FMAs. */
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

        /** Four weight rows against one row of x: four independent FMA chains keep the loads streaming. */
        private static void oneRowFourColumns(float[] x, int m, ByteBuffer w, int n, int k, float[] y, int col) {
            int lanes = S.length();
            int vectorEnd = k - k % lanes;
            int base0 = col * k * 4;
            int x0 = m * k;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += lanes) {
                FloatVector v = FloatVector.fromArray(S, x, x0 + i);
                int at = base0 + i * 4;
                a0 = FloatVector.fromByteBuffer(S, w, at, ByteOrder.LITTLE_ENDIAN).fma(v, a0);
                a1 = FloatVector.fromByteBuffer(S, w, at + k * 4, ByteOrder.LITTLE_ENDIAN).fma(v, a1);
                a2 = FloatVector.fromByteBuffer(S, w, at + 2 * k * 4, ByteOrder.LITTLE_ENDIAN).fma(v, a2);
                a3 = FloatVector.fromByteBuffer(S, w, at + 3 * k * 4, ByteOrder.LITTLE_ENDIAN).fma(v, a3);
            }
            y[m * n + col] = finish(a0, x, x0, w, base0, vectorEnd, k);
            y[m * n + col + 1] = finish(a1, x, x0, w, base0 + k * 4, vectorEnd, k);
            y[m * n + col + 2] = finish(a2, x, x0, w, base0 + 2 * k * 4, vectorEnd, k);
            y[m * n + col + 3] = finish(a3, x, x0, w, base0 + 3 * k * 4, vectorEnd, k);
        }

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

        // ---- bfloat16 weights (x in even/odd block order)

        /** x with each block of 2L elements reordered to its even elements, then its odd ones; the tail as is. */
        static float[] evenOddBlocks(float[] x, int rows, int k) {
            int lanes = S.length();
            int block = 2 * lanes;
            int vectorEnd = k - k % block;
            float[] out = x.clone();
            for (int m = 0; m < rows; m++) {
                for (int b = m * k; b < m * k + vectorEnd; b += block) {
                    for (int j = 0; j < lanes; j++) {
                        out[b + j] = x[b + 2 * j];
                        out[b + lanes + j] = x[b + 2 * j + 1];
                    }
                }
            }
            return out;
        }

        private static FloatVector evens(IntVector pairs) {
            return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }

        private static FloatVector odds(IntVector pairs) {
            return pairs.lanewise(VectorOperators.AND, ODD_HALVES).reinterpretAsFloats();
        }

        private static IntVector pairs(ByteBuffer w, int byteOffset) {
            return IntVector.fromByteBuffer(PAIRS, w, byteOffset, ByteOrder.LITTLE_ENDIAN);
        }

        private static void fourRowsTwoColumnsBf16(float[] x, int m, ByteBuffer w, int n, int k, float[] y, int col) {
            int lanes = S.length();
            int block = 2 * lanes;
            int vectorEnd = k - k % block;
            int base0 = col * k * 2;
            int base1 = base0 + k * 2;
            int x0 = m * k;
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S);
            FloatVector a30 = FloatVector.zero(S);
            FloatVector a01 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            FloatVector a21 = FloatVector.zero(S);
            FloatVector a31 = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += block) {
                IntVector p0 = pairs(w, base0 + i * 2);
                IntVector p1 = pairs(w, base1 + i * 2);
                FloatVector e0 = evens(p0);
                FloatVector e1 = evens(p1);
                FloatVector o0 = odds(p0);
                FloatVector o1 = odds(p1);
                FloatVector ve = FloatVector.fromArray(S, x, x0 + i);
                FloatVector vo = FloatVector.fromArray(S, x, x0 + i + lanes);
                a00 = o0.fma(vo, e0.fma(ve, a00));
                a01 = o1.fma(vo, e1.fma(ve, a01));
                ve = FloatVector.fromArray(S, x, x0 + k + i);
                vo = FloatVector.fromArray(S, x, x0 + k + i + lanes);
                a10 = o0.fma(vo, e0.fma(ve, a10));
                a11 = o1.fma(vo, e1.fma(ve, a11));
                ve = FloatVector.fromArray(S, x, x0 + 2 * k + i);
                vo = FloatVector.fromArray(S, x, x0 + 2 * k + i + lanes);
                a20 = o0.fma(vo, e0.fma(ve, a20));
                a21 = o1.fma(vo, e1.fma(ve, a21));
                ve = FloatVector.fromArray(S, x, x0 + 3 * k + i);
                vo = FloatVector.fromArray(S, x, x0 + 3 * k + i + lanes);
                a30 = o0.fma(vo, e0.fma(ve, a30));
                a31 = o1.fma(vo, e1.fma(ve, a31));
            }
            y[m * n + col] = finishBf16(a00, x, x0, w, base0, vectorEnd, k);
            y[m * n + col + 1] = finishBf16(a01, x, x0, w, base1, vectorEnd, k);
            y[(m + 1) * n + col] = finishBf16(a10, x, x0 + k, w, base0, vectorEnd, k);
            y[(m + 1) * n + col + 1] = finishBf16(a11, x, x0 + k, w, base1, vectorEnd, k);
            y[(m + 2) * n + col] = finishBf16(a20, x, x0 + 2 * k, w, base0, vectorEnd, k);
            y[(m + 2) * n + col + 1] = finishBf16(a21, x, x0 + 2 * k, w, base1, vectorEnd, k);
            y[(m + 3) * n + col] = finishBf16(a30, x, x0 + 3 * k, w, base0, vectorEnd, k);
            y[(m + 3) * n + col + 1] = finishBf16(a31, x, x0 + 3 * k, w, base1, vectorEnd, k);
        }

        private static void oneRowFourColumnsBf16(float[] x, int m, ByteBuffer w, int n, int k, float[] y, int col) {
            int lanes = S.length();
            int block = 2 * lanes;
            int vectorEnd = k - k % block;
            int base0 = col * k * 2;
            int row = k * 2;
            int x0 = m * k;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += block) {
                FloatVector ve = FloatVector.fromArray(S, x, x0 + i);
                FloatVector vo = FloatVector.fromArray(S, x, x0 + i + lanes);
                int at = base0 + i * 2;
                IntVector p0 = pairs(w, at);
                IntVector p1 = pairs(w, at + row);
                IntVector p2 = pairs(w, at + 2 * row);
                IntVector p3 = pairs(w, at + 3 * row);
                a0 = odds(p0).fma(vo, evens(p0).fma(ve, a0));
                a1 = odds(p1).fma(vo, evens(p1).fma(ve, a1));
                a2 = odds(p2).fma(vo, evens(p2).fma(ve, a2));
                a3 = odds(p3).fma(vo, evens(p3).fma(ve, a3));
            }
            y[m * n + col] = finishBf16(a0, x, x0, w, base0, vectorEnd, k);
            y[m * n + col + 1] = finishBf16(a1, x, x0, w, base0 + row, vectorEnd, k);
            y[m * n + col + 2] = finishBf16(a2, x, x0, w, base0 + 2 * row, vectorEnd, k);
            y[m * n + col + 3] = finishBf16(a3, x, x0, w, base0 + 3 * row, vectorEnd, k);
        }

        private static float dotBf16(float[] x, int x0, ByteBuffer w, int col, int k) {
            int lanes = S.length();
            int block = 2 * lanes;
            int vectorEnd = k - k % block;
            int base = col * k * 2;
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < vectorEnd; i += block) {
                IntVector p = pairs(w, base + i * 2);
                a = odds(p).fma(FloatVector.fromArray(S, x, x0 + i + lanes),
                        evens(p).fma(FloatVector.fromArray(S, x, x0 + i), a));
            }
            return finishBf16(a, x, x0, w, base, vectorEnd, k);
        }

        private static float finishBf16(FloatVector sum, float[] x, int x0, ByteBuffer w, int base, int from, int k) {
            float s = 0;
            for (int i = from; i < k; i++) {
                s += Float.intBitsToFloat((w.getShort(base + i * 2) & 0xFFFF) << 16) * x[x0 + i];
            }
            return sum.reduceLanes(VectorOperators.ADD) + s;
        }

        /** Rows [row, row + count) of bf16 {@code w} as float32 into {@code out} from float index {@code at}. */
        static void widen(HostMatrix w, int row, int count, ByteBuffer out, long at) {
            ByteBuffer b = w.bytes();
            int lanes = HALF.length();
            long first = (long) row * w.columns();
            int total = Math.multiplyExact(count, w.columns());
            int vectorEnd = total - total % lanes;
            int from = Math.toIntExact(first * 2);
            int to = Math.toIntExact(at * 4);
            int i = 0;
            for (; i < vectorEnd; i += lanes) {
                ShortVector halves = ShortVector.fromByteBuffer(HALF, b, from + i * 2, ByteOrder.LITTLE_ENDIAN);
                ((IntVector) halves.convertShape(VectorOperators.S2I, PAIRS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().intoByteBuffer(out, to + i * 4, ByteOrder.LITTLE_ENDIAN);
            }
            for (; i < total; i++) {
                out.putInt(to + i * 4, (b.getShort(from + i * 2) & 0xFFFF) << 16);
            }
        }
    }
}
