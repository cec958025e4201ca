package dev.hovle.model.cache;

import ai.djl.ndarray.NDArray;

/** Where attention writes a step's keys and values and reads back every position it may attend to. */
public interface KvStore {

    /**
     * Stores this step's (B, K, T, d) keys and values for {@code layer} and returns (B, K, S, d) views over the
     * positions the step attends to (earlier ones plus these), allocated in the step's scope.
     */
    NDArray[] append(int layer, NDArray keys, NDArray values);
}
