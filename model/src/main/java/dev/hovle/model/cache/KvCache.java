package dev.hovle.model.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.config.TransformerConfig;

/**
 * Preallocated keys and values of one decoder stack for one batch of sequences: per layer (B, K, capacity, d).
 * A forward step writes its new positions at {@link #length()} in every layer, then {@link #advance(int)} moves the
 * length on once the whole stack has run.
 */
public final class KvCache implements KvStore, AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    private KvCache(NDArray[] keys, NDArray[] values, int capacity) {
        this.keys = keys;
        this.values = values;
        this.capacity = capacity;
    }

    /** Allocates zeroed caches for {@code batch} sequences of up to {@code capacity} positions. */
    public static KvCache allocate(NDManager manager, TransformerConfig t, int batch, int capacity, DataType type) {
        int layers = t.numLayers();
        NDArray[] keys = new NDArray[layers];
        NDArray[] values = new NDArray[layers];
        Shape shape = new Shape(batch, t.numKvHeads(), capacity, t.headDim());
        for (int i = 0; i < layers; i++) {
            keys[i] = manager.zeros(shape, type);
            values[i] = manager.zeros(shape, type);
        }
        return new KvCache(keys, values, capacity);
    }

    /** A cache over existing (1, K, capacity, d) views, e.g. one slot of a {@link SlotKvCache}; starts empty. */
    static KvCache over(NDArray[] keys, NDArray[] values) {
        return new KvCache(keys, values, (int) keys[0].getShape().get(2));
    }

    /** Forgets every cached position (the memory is reused, not freed). */
    public void reset() {
        length = 0;
    }

    /** Sets the number of cached positions, after the arrays were filled elsewhere. */
    void setLength(int newLength) {
        if (newLength < 0 || newLength > capacity) {
            throw new IllegalArgumentException("length " + newLength + " outside 0.." + capacity);
        }
        length = newLength;
    }

    /** Positions already cached. */
    public int length() {
        return length;
    }

    /** Positions the cache can hold. */
    public int capacity() {
        return capacity;
    }

    /**
     * Writes (B, K, T, d) keys and values of {@code layer} at the current length and returns the views over
     * every cached position including them, (B, K, length + T, d).
     */
    @Override
    public NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        long t = newKeys.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + t + " positions exceed capacity "
                    + capacity);
        }
        NDIndex slot = NDIndex.sliceAxis(2, length, length + t);
        keys[layer].set(slot, newKeys);
        values[layer].set(slot, newValues);
        NDIndex upTo = NDIndex.sliceAxis(2, 0, length + t);
        // The views belong to this step, not to the cache: they are freed with the step's other arrays.
        NDManager step = newKeys.getManager();
        return new NDArray[] {keys[layer].get(step, upTo), values[layer].get(step, upTo)};
    }

    /** Marks {@code count} more positions as cached, after every layer has appended them. */
    public void advance(int count) {
        if (length + count > capacity) {
            throw new IllegalStateException("KV cache overflow: " + (length + count) + " > " + capacity);
        }
        length += count;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
