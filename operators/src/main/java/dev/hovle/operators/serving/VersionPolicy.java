package dev.hovle.operators.serving;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a job follows its model line.
 *
 * @param modelName the model line: updates keyed by another name are ignored
 * @param rootVersion the version name of the configured snapshot, the root of the lineage
 * @param rootDir the configured snapshot's directory
 * @param pinnedVersion the one version to serve once an update tells where it is, whatever else is promoted or
 *     rolled back; null to follow promotions and rollbacks
 */
public record VersionPolicy(String modelName, String rootVersion, String rootDir, String pinnedVersion)
        implements Serializable {

    public VersionPolicy {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(rootVersion, "rootVersion");
        Objects.requireNonNull(rootDir, "rootDir");
    }

    /** The configured snapshot as a target. */
    ServingTarget root() {
        return new ServingTarget.Configured(rootVersion, rootDir);
    }
}
