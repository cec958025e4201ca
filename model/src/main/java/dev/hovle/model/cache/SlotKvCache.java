package dev.hovle.model.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.config.TransformerConfig;

/**
 * Preallocated keys and values of one decoder stack for a batch of independent sequences: per layer
 * (slots, K, capacity, d), one slot per running sequence. Running sequences occupy slots 0..B-1, so a decode step
 * attends over views of the first B slots without copying; when a sequence leaves, the engine moves the last slot
 * into its place.
 */
public final class SlotKvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final KvCache[] slots;
    private final int capacity;

    /** Allocates {@code slotCount} slots of {@code capacity} positions each. */
    public SlotKvCache(NDManager parent, TransformerConfig t, int slotCount, int capacity, DataType type) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        int layers = t.numLayers();
        Shape shape = new Shape(slotCount, t.numKvHeads(), capacity, t.headDim());
        keys = new NDArray[layers];
        values = new NDArray[layers];
        for (int i = 0; i < layers; i++) {
            keys[i] = manager.zeros(shape, type);
            values[i] = manager.zeros(shape, type);
        }
        slots = new KvCache[slotCount];
        for (int s = 0; s < slotCount; s++) {
            NDIndex slot = new NDIndex("{}:{}", s, s + 1);
            NDArray[] k = new NDArray[layers];
            NDArray[] v = new NDArray[layers];
            for (int i = 0; i < layers; i++) {
                k[i] = keys[i].get(slot);
                v[i] = values[i].get(slot);
            }
            slots[s] = KvCache.over(k, v);
        }
    }

    /** Positions one slot can hold. */
    public int capacity() {
        return capacity;
    }

    /** Slots in all. */
    public int slotCount() {
        return slots.length;
    }

    /** Slot {@code s} as a single-sequence cache, for prefilling it chunk by chunk. */
    public KvCache slot(int s) {
        return slots[s];
    }

    /** Moves slot {@code from}'s positions into slot {@code to} and empties {@code from}. */
    public void move(int from, int to) {
        int length = slots[from].length();
        if (length > 0) {
            try (NDManager scope = manager.newSubManager()) {
                NDIndex source = new NDIndex("{}, :, :{}, :", from, length);
                NDIndex target = new NDIndex("{}, :, :{}, :", to, length);
                for (int i = 0; i < keys.length; i++) {
                    keys[i].set(target, keys[i].get(scope, source));
                    values[i].set(target, values[i].get(scope, source));
                }
            }
        }
        slots[to].setLength(length);
        slots[from].reset();
    }

    /**
     * A store for one decode step of the sequences in slots 0..batch-1, its indices built once in the step's scope
     * for every layer: each sequence writes its new position at its own length; reads see the first {@code batch}
     * slots up to the longest. Call {@link #advanceDecoded(int)} after the stack has run.
     */
    public KvStore decodeStore(NDManager step, int batch) {
        int[] positions = positions(batch);
        int longest = 0;
        for (int p : positions) {
            longest = Math.max(longest, p + 1);
        }
        if (longest > capacity) {
            throw new IllegalStateException("KV cache slot full: position " + (longest - 1) + " >= capacity " + capacity);
        }
        // Advanced indices on axes 0 and 2: the target is (B, K, d), one row per sequence at its own position.
        NDIndex target = new NDIndex("{}, :, {}", step.arange(0, batch, 1, DataType.INT64),
                step.create(positions).toType(DataType.INT64, false));
        NDIndex window = new NDIndex().addSliceDim(0, batch).addAllDim().addSliceDim(0, longest);
        return (layer, newKeys, newValues) -> {
            keys[layer].set(target, newKeys.squeeze(2));
            values[layer].set(target, newValues.squeeze(2));
            return new NDArray[] {keys[layer].get(step, window), values[layer].get(step, window)};
        };
    }

    /** The next position of each of the first {@code batch} slots (its current length). */
    public int[] positions(int batch) {
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = slots[b].length();
        }
        return out;
    }

    /** Marks one more cached position in each of the first {@code batch} slots. */
    public void advanceDecoded(int batch) {
        for (int b = 0; b < batch; b++) {
            slots[b].advance(1);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
