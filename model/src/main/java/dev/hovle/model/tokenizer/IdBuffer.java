package dev.hovle.model.tokenizer;

import java.util.Arrays;

/** A growable int array. */
final class IdBuffer {
    private int[] ids;
    private int size;

    IdBuffer(int capacity) {
        ids = new int[Math.max(capacity, 4)];
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] more) {
        for (int id : more) {
            add(id);
        }
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }

    int[] slice(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }
}
