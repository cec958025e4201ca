package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host bytes behind a model's read-only weight matrices, where they are a file mapping the CPU kernels
 * ({@code HostGemv}) can read directly. Filled while the weights load and handed to the layers with them, so a
 * model's views live and die with the model.
 *
 * <p>A bfloat16 matrix served this way has no float32 copy at all: its array is a stand-in of the right shape (one
 * NaN broadcast, no memory) that poisons any product libtorch is asked to make with it, and every use goes through
 * its view.
 */
public final class HostViews {
    // Keyed by the array's uid: NDArray equality and hashing may touch native memory that is already freed.
    private final Map<String, HostMatrix> byArray = new ConcurrentHashMap<>();

    /** An empty set, filled as weights load. */
    public HostViews() {}

    /** Views of no weight: every multiplication goes through libtorch (training copies, GPU weights). */
    public static HostViews none() {
        return new HostViews();
    }

    /** Records the host matrix behind {@code weight}. */
    public void add(NDArray weight, HostMatrix matrix) {
        byArray.put(weight.getUid(), matrix);
    }

    /** The host matrix of {@code weight}, or null when it has none. */
    public HostMatrix of(NDArray weight) {
        return byArray.get(weight.getUid());
    }

    /** How many weights have a host view. */
    public int size() {
        return byArray.size();
    }

    /** How many weights live only as bfloat16 host matrices (no float32 copy). */
    public long bf16Count() {
        return byArray.values().stream().filter(HostMatrix::isBf16).count();
    }
}
