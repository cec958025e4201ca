package dev.hovle.operators.serving;

import java.io.Serializable;
import java.util.Objects;

/**
 * What one shared engine serves and how: subtasks with equal specs in one TaskManager share a single engine.
 *
 * @param modelDir the snapshot directory, readable on every TaskManager
 * @param modelVersion the version name results carry
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param precision the compute dtype
 * @param threads PyTorch intra-op threads on the CPU (applied before the first engine loads in the JVM)
 * @param factory the engine and its batch policy
 */
public record EngineSpec(String modelDir, String modelVersion, String device, ComputePrecision precision, int threads,
        EngineFactory factory) implements Serializable {

    public EngineSpec {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(factory, "factory");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, found " + threads);
        }
    }

    /** A CPU, float32, one-thread spec: what tests and the local runtime use. */
    public static EngineSpec cpu(String modelDir, String modelVersion, EngineFactory factory) {
        return new EngineSpec(modelDir, modelVersion, "cpu", ComputePrecision.FLOAT32, 1, factory);
    }

    /** The same spec with another engine factory. */
    public EngineSpec withFactory(EngineFactory newFactory) {
        return new EngineSpec(modelDir, modelVersion, device, precision, threads, newFactory);
    }
}
