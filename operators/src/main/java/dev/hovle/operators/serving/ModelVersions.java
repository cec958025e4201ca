package dev.hovle.operators.serving;

import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the updates topic has said about the versions of one model line, and which version to serve. Plain logic
 * with no Flink in it: the update-following operator keeps {@link #known} and {@link #choice} in broadcast state and
 * feeds every update through {@link #apply}.
 *
 * <ul>
 *   <li>CANDIDATE: remembered (checkpoint URI, checksums, parent), never served.
 *   <li>PROMOTED: served. A version once REJECTED stays rejected: promoting it later is refused.
 *   <li>REJECTED: never served; if it was the choice (a promotion still loading), serving returns to its parent.
 *   <li>ROLLED_BACK: if it is the choice, serving returns to its parent: the configured snapshot (the root), or a
 *       version whose checkpoint an earlier update named, skipping ancestors that were rejected or rolled back.
 *   <li>A pinned version is served as soon as an update names its checkpoint; promotions and rollbacks of any
 *       version are then ignored (a rejection still wins).
 * </ul>
 */
public final class ModelVersions {
    private final VersionPolicy policy;
    private final Map<String, ModelUpdate> known;
    private ServingChoice choice;

    private ModelVersions(VersionPolicy policy, Map<String, ModelUpdate> known, ServingChoice choice) {
        this.policy = policy;
        this.known = known;
        this.choice = choice;
    }

    /** A model line of which nothing is known yet: the configured snapshot serves. */
    public static ModelVersions start(VersionPolicy policy) {
        return new ModelVersions(policy, new HashMap<>(), ServingChoice.initial(policy.rootVersion()));
    }

    /**
     * The versions restored from state. The policy may have changed since they were saved: a pin set now serves the
     * pinned version if it is known, else the configured snapshot.
     */
    public static ModelVersions restore(VersionPolicy policy, Iterable<ModelUpdate> known, ServingChoice choice) {
        Map<String, ModelUpdate> byVersion = new HashMap<>();
        known.forEach(u -> byVersion.put(u.getVersion(), u));
        ModelVersions versions = new ModelVersions(policy, byVersion, choice == null
                ? ServingChoice.initial(policy.rootVersion()) : choice);
        String pinned = policy.pinnedVersion();
        if (pinned != null && !pinned.equals(versions.choice.version())) {
            boolean servable = pinned.equals(policy.rootVersion()) || versions.checkpointOf(pinned) != null
                    && byVersion.get(pinned).getStatus() != ModelStatus.REJECTED;
            versions.choice = servable ? new ServingChoice(pinned, versions.choice.topic(), versions.choice.partition(),
                    versions.choice.offset()) : ServingChoice.initial(policy.rootVersion());
        }
        return versions;
    }

    /**
     * Applies one update read at {@code topic}-{@code partition}@{@code offset}: a {@link VersionDecision.Serve} when
     * the version to serve changes (the new choice is recorded), a {@link VersionDecision.Refuse} for an update this
     * job will not follow, else a {@link VersionDecision.Keep}.
     */
    public VersionDecision apply(ModelUpdate update, String topic, int partition, long offset) {
        if (!policy.modelName().equals(update.getModelName())) {
            return new VersionDecision.Keep("an update of model " + update.getModelName() + ", this job serves "
                    + policy.modelName());
        }
        String version = update.getVersion();
        ModelStatus status = update.getStatus();
        if (status == ModelStatus.UNKNOWN) {
            return new VersionDecision.Keep("version " + version + " has a status this job does not know");
        }
        ModelUpdate before = known.get(version);
        boolean wasRejected = before != null && before.getStatus() == ModelStatus.REJECTED;
        known.put(version, merged(before, update));
        if (wasRejected && status == ModelStatus.PROMOTED) {
            return new VersionDecision.Refuse("version " + version + " was rejected earlier, and a rejected version is "
                    + "never served");
        }
        boolean chosen = version.equals(choice.version());
        String pinned = policy.pinnedVersion();
        if (status == ModelStatus.REJECTED) {
            return chosen ? returnToParentOf(version, "was rejected", topic, partition, offset)
                    : new VersionDecision.Keep("version " + version + " rejected; it is not served");
        }
        if (pinned != null) {
            return version.equals(pinned) && !chosen && status != ModelStatus.ROLLED_BACK
                    ? serve(version, topic, partition, offset)
                    : new VersionDecision.Keep("pinned to version " + pinned);
        }
        return switch (status) {
            case CANDIDATE -> new VersionDecision.Keep("candidate " + version + " remembered");
            case PROMOTED -> chosen ? new VersionDecision.Keep("version " + version + " is served already")
                    : serve(version, topic, partition, offset);
            case ROLLED_BACK -> chosen ? returnToParentOf(version, "was rolled back", topic, partition, offset)
                    : new VersionDecision.Keep("version " + version + " rolled back; it was not served");
            default -> throw new IllegalStateException("unhandled status " + status);
        };
    }

    /** The version to serve. */
    public ServingChoice choice() {
        return choice;
    }

    /** The version to serve, with where its weights are. */
    public ServingTarget target() {
        ServingTarget target = targetOf(choice.version());
        if (target == null) {
            throw new IllegalStateException("the chosen version " + choice.version() + " has no known checkpoint");
        }
        return target;
    }

    /** What is known of {@code version}: its latest status with the checkpoint its updates named, or null. */
    public ModelUpdate known(String version) {
        return known.get(version);
    }

    private VersionDecision serve(String version, String topic, int partition, long offset) {
        ServingTarget target = targetOf(version);
        if (target == null) {
            return new VersionDecision.Refuse("version " + version + " names no checkpoint URI");
        }
        choice = new ServingChoice(version, topic, partition, offset);
        return new VersionDecision.Serve(target);
    }

    private VersionDecision returnToParentOf(String version, String what, String topic, int partition, long offset) {
        Set<String> visited = new HashSet<>();
        String child = version;
        while (visited.add(child)) {
            ModelUpdate update = known.get(child);
            String parent = update == null ? null : update.getParentVersion();
            if (parent == null) {
                return new VersionDecision.Refuse("version " + version + " " + what + ", but " + (child.equals(version)
                        ? "it has" : "its ancestor " + child + " has") + " no parent to return to; still serving it");
            }
            ModelUpdate parentUpdate = known.get(parent);
            boolean retired = parentUpdate != null && (parentUpdate.getStatus() == ModelStatus.REJECTED
                    || parentUpdate.getStatus() == ModelStatus.ROLLED_BACK);
            if (!retired || parent.equals(policy.rootVersion())) {
                if (targetOf(parent) == null) {
                    return new VersionDecision.Refuse("version " + version + " " + what + ", but no update named the "
                            + "checkpoint of its parent " + parent + "; still serving " + version);
                }
                return serve(parent, topic, partition, offset);
            }
            child = parent;
        }
        return new VersionDecision.Refuse("the parents of version " + version + " form a cycle at " + child);
    }

    private ServingTarget targetOf(String version) {
        if (version.equals(policy.rootVersion())) {
            return policy.root();
        }
        ModelUpdate update = checkpointOf(version);
        return update == null ? null : new ServingTarget.Stored(version, update.getUri(), Map.copyOf(
                update.getChecksums()));
    }

    private ModelUpdate checkpointOf(String version) {
        ModelUpdate update = known.get(version);
        return update == null || update.getUri() == null || update.getUri().isEmpty() ? null : update;
    }

    /**
     * What the updates of one version say together: the newest update, with the newest checkpoint location any of
     * them gave (a verdict such as a rollback need not repeat the URI and checksums). A rejection is final.
     *
     * @param before what the earlier updates said, or null
     */
    public static ModelUpdate merged(ModelUpdate before, ModelUpdate update) {
        ModelUpdate.Builder merged = before == null || !update.getUri().isEmpty() ? ModelUpdate.newBuilder(update)
                : ModelUpdate.newBuilder(before).setStatus(update.getStatus()).setReason(update.getReason())
                        .setTime(update.getTime());
        if (before != null && before.getStatus() == ModelStatus.REJECTED) {
            merged.setStatus(ModelStatus.REJECTED);
        }
        return merged.build();
    }

    /**
     * What rolling back a version takes, given what the updates topic said of it ({@link #merged}): the ROLLED_BACK
     * update to publish, which repeats the version's parent, checkpoint and metrics so that following jobs return to
     * its parent; or why none is due.
     */
    public static Rollback rollback(ModelUpdate known, String reason, Instant time) {
        String version = known.getVersion();
        return switch (known.getStatus()) {
            case REJECTED -> new Rollback.Refused("version " + version + " was rejected: it never served, there is "
                    + "nothing to roll back");
            case ROLLED_BACK -> new Rollback.AlreadyDone("version " + version + " is rolled back already ("
                    + known.getReason() + ")");
            default -> new Rollback.Publish(ModelUpdate.newBuilder(known).setStatus(ModelStatus.ROLLED_BACK)
                    .setReason(reason).setTime(time).build());
        };
    }

    /** The outcome of {@link #rollback}. */
    public sealed interface Rollback {
        /** Publish {@code update} on the model-updates topic. */
        record Publish(ModelUpdate update) implements Rollback {}

        /** Nothing to publish: the version is rolled back already. */
        record AlreadyDone(String why) implements Rollback {}

        /** The version cannot be rolled back. */
        record Refused(String why) implements Rollback {}
    }
}
