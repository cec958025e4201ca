package dev.hovle.model.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * Reproduces the iteration order of a CPython (3.8 or later) {@code set} of 2-tuples of small non-negative ints.
 *
 * <p>Why this exists: the official tiling code builds its candidate grids as a Python {@code set} of (i, j) tuples
 * and sorts it by i·j with a stable sort, so grids of equal product keep the set's iteration order. That order is
 * the set's slot order, which follows from three CPython facts, replayed here:
 * <ol>
 *   <li>the tuple hash (CPython 3.8+, xxHash-style): acc = P5; per item acc += hash(item)·P2, rotate left 31,
 *       acc ·= P1; finally acc += len ^ (P5 ^ 3527539) (all modulo 2^64), where hash(n) = n for small ints;
 *   <li>the table: 8 slots to start, open addressing from slot hash &amp; mask, up to 9 linear probes, then
 *       {@code perturb >>= 5; i = (5i + 1 + perturb) & mask} with perturb starting at the unsigned hash;
 *   <li>growth: after an insert that brings fill·5 to at least mask·3, the table is rebuilt with the smallest
 *       power of two above 4·used slots, re-inserting entries in old slot order.
 * </ol>
 * Checked against the two orders listed in the golden README and against CPython 3.11 for many (min, max)
 * pairs (see {@code TileGridOrderTest}).
 */
final class PythonSetOrder {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;
    private static final int MIN_SIZE = 8;

    private TileGrid[] table = new TileGrid[MIN_SIZE];
    private long[] hashes = new long[MIN_SIZE];
    private int used;

    /** Adds (cols, rows) unless present, as {@code set.add((cols, rows))} would. */
    void add(TileGrid grid) {
        long hash = hash(grid);
        int slot = findSlot(table, hashes, grid, hash);
        if (table[slot] != null) {
            return;
        }
        table[slot] = grid;
        hashes[slot] = hash;
        used++;
        int mask = table.length - 1;
        // No deletions ever happen here, so fill == used.
        if ((long) used * 5 >= (long) mask * 3) {
            resize(used * 4);
        }
    }

    /** Returns the elements in the order CPython iterates the set. */
    List<TileGrid> iterationOrder() {
        List<TileGrid> out = new ArrayList<>(used);
        for (TileGrid grid : table) {
            if (grid != null) {
                out.add(grid);
            }
        }
        return out;
    }

    private void resize(int minUsed) {
        int size = MIN_SIZE;
        while (size <= minUsed) {
            size <<= 1;
        }
        TileGrid[] oldTable = table;
        long[] oldHashes = hashes;
        table = new TileGrid[size];
        hashes = new long[size];
        for (int i = 0; i < oldTable.length; i++) {
            if (oldTable[i] != null) {
                int slot = findSlot(table, hashes, oldTable[i], oldHashes[i]);
                table[slot] = oldTable[i];
                hashes[slot] = oldHashes[i];
            }
        }
    }

    /** Returns the slot holding {@code grid}, or the empty slot where CPython would put it. */
    private static int findSlot(TileGrid[] table, long[] hashes, TileGrid grid, long hash) {
        int mask = table.length - 1;
        long perturb = hash; // size_t in CPython: shifted as unsigned
        int i = (int) (hash & mask);
        while (true) {
            if (table[i] == null || (hashes[i] == hash && table[i].equals(grid))) {
                return i;
            }
            if (i + LINEAR_PROBES <= mask) {
                for (int j = 1; j <= LINEAR_PROBES; j++) {
                    if (table[i + j] == null || (hashes[i + j] == hash && table[i + j].equals(grid))) {
                        return i + j;
                    }
                }
            }
            perturb >>>= PERTURB_SHIFT;
            i = (int) ((i * 5L + 1 + perturb) & mask);
        }
    }

    /** CPython's hash of the tuple (cols, rows). */
    static long hash(TileGrid grid) {
        long acc = P5;
        for (long lane : new long[] {grid.cols(), grid.rows()}) {
            acc += lane * P2;
            acc = Long.rotateLeft(acc, 31);
            acc *= P1;
        }
        acc += 2 ^ (P5 ^ 3527539L);
        return acc == -1 ? 1546275796L : acc;
    }
}
