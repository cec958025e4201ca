package dev.hovle.model.train;

import java.util.SplittableRandom;

/**
 * The order a run visits a dataset: a fresh seeded permutation every epoch, so position p always means the same
 * sample for a given seed and size, and a resumed run continues exactly where it stopped.
 */
public final class DataOrder {
    private final long seed;
    private final int size;
    private long cachedEpoch = -1;
    private int[] permutation;

    public DataOrder(long seed, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("cannot order an empty dataset");
        }
        this.seed = seed;
        this.size = size;
    }

    /** The dataset index at run position {@code position} (0-based, across epochs). */
    public synchronized int indexAt(long position) {
        long epoch = position / size;
        if (epoch != cachedEpoch) {
            permutation = permutation(epoch);
            cachedEpoch = epoch;
        }
        return permutation[(int) (position % size)];
    }

    private int[] permutation(long epoch) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
