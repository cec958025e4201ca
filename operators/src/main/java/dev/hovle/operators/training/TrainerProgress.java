package dev.hovle.operators.training;

import java.util.HashMap;
import java.util.Map;

/**
 * The trainer's checkpointed position: where its weights and optimizer state can be read back, which version serves
 * and how it scored. Kept in Flink's operator state beside the samples not yet trained on, so a restart resumes
 * weights, optimizer and Kafka offsets that belong together.
 *
 * @param runId names this run's versions; fixed at the first start, kept across restarts
 * @param resumeUri the store checkpoint holding the weights, optimizer moments and step to resume from, or null to
 *     start from the configured snapshot
 * @param resumeChecksums that checkpoint's file checksums, verified when it is read back
 * @param resumeStep the optimizer step that checkpoint was written at
 * @param lastVersionStep the step of the last candidate version (0 before any)
 * @param serving the version the gate compares candidates with, or null before the first evaluation
 * @param promoted every version this run promoted (and the starting snapshot), by name: where a rollback returns
 */
public record TrainerProgress(String runId, String resumeUri, Map<String, String> resumeChecksums, long resumeStep,
        long lastVersionStep, ServingVersion serving, Map<String, ServingVersion> promoted) {

    /** A run that has trained nothing yet. */
    public static TrainerProgress start(String runId) {
        return new TrainerProgress(runId, null, Map.of(), 0, 0, null, Map.of());
    }

    /** The same run resuming from {@code uri}, written at {@code step}. */
    public TrainerProgress resumingFrom(String uri, Map<String, String> checksums, long step) {
        return new TrainerProgress(runId, uri, Map.copyOf(checksums), step, lastVersionStep, serving, promoted);
    }

    /** The same run after proposing a version at {@code step}, serving {@code newServing}. */
    public TrainerProgress afterVersion(long step, ServingVersion newServing) {
        return new TrainerProgress(runId, resumeUri, resumeChecksums, resumeStep, step, newServing, promoted)
                .serving(newServing);
    }

    /** The same run comparing with {@code newServing}, remembered as promoted. */
    public TrainerProgress serving(ServingVersion newServing) {
        Map<String, ServingVersion> all = new HashMap<>(promoted);
        all.put(newServing.version(), newServing);
        return new TrainerProgress(runId, resumeUri, resumeChecksums, resumeStep, lastVersionStep, newServing,
                Map.copyOf(all));
    }

    /**
     * After an operator rolled {@code version} back: when it is the serving one, its parent is the gate's bar again
     * if this run promoted it (or started from it) and it is still standing; otherwise the bar stays where it was.
     */
    public TrainerProgress rolledBack(String version) {
        if (serving == null || !serving.version().equals(version)) {
            return this;
        }
        Map<String, ServingVersion> remaining = new HashMap<>(promoted);
        remaining.remove(version);
        ServingVersion next = remaining.getOrDefault(serving.parent(), serving);
        return new TrainerProgress(runId, resumeUri, resumeChecksums, resumeStep, lastVersionStep, next,
                Map.copyOf(remaining));
    }

    /**
     * A version that serves, with its scores on the gate's samples.
     *
     * @param version its name
     * @param parent the version it was judged against (null for the starting snapshot)
     * @param scores how it scored
     */
    public record ServingVersion(String version, String parent, EvalScores scores) {}
}
