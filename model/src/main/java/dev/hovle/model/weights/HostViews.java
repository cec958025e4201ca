package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The little-endian float32 bytes behind a model's read-only weight matrices, where they are a file mapping the
 * decode kernel ({@code HostGemv}) can read directly. Filled while the weights load and handed to the layers with
 * them, so a model's views live and die with the model.
 */
public final class HostViews {
    private final Map<String, ByteBuffer> byArray = new ConcurrentHashMap<>();

    /** An empty set, filled as weights load. */
    public HostViews() {}

    /** Views of no weight: every multiplication goes through libtorch (training copies, GPU weights). */
    public static HostViews none() {
        return new HostViews();
    }

    /** Records the bytes behind {@code weight}, a read-only float32 matrix on the CPU. */
    public void add(NDArray weight, ByteBuffer littleEndianFloats) {
        byArray.put(weight.getUid(), littleEndianFloats);
    }

    /** The host bytes of {@code weight}, or null when it has none. */
    public ByteBuffer of(NDArray weight) {
        return byArray.get(weight.getUid());
    }

    /** How many weights have a host view. */
    public int size() {
        return byArray.size();
    }
}
