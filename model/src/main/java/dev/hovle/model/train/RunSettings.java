package dev.hovle.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The settings a {@code hovle train} run starts with: how the model learns, and what data in which order. Saved with
 * every checkpoint so a resumed run continues with exactly the same schedule, data order and batch shape.
 *
 * @param optimizer stage, batch shape, schedule (its steps are the run's) and optimizer
 * @param data {@code shapes} or the data folder
 * @param seed seed of the data order (and of the shapes dataset and the synthetic teacher)
 * @param curriculumSteps for {@code shapes}, the first steps see pictures of one shape only (0: none)
 */
public record RunSettings(OptimizerSettings optimizer, String data, long seed, int curriculumSteps) {

    /** Optimizer steps of the whole run. */
    public int steps() {
        return optimizer.scheduleSteps();
    }

    /** Training samples the curriculum covers. */
    public long curriculumSamples() {
        return (long) curriculumSteps * optimizer.samplesPerStep();
    }

    /** The same settings for a run of {@code total} steps (a resumed run that goes further). */
    public RunSettings withSteps(int total) {
        return new RunSettings(optimizer.withScheduleSteps(total), data, seed, curriculumSteps);
    }

    void write(ObjectNode node) {
        optimizer.write(node);
        node.put("data", data).put("seed", seed).put("curriculum_steps", curriculumSteps);
    }

    static RunSettings read(JsonNode node) {
        return new RunSettings(OptimizerSettings.read(node), node.path("data").asText(), node.path("seed").asLong(),
                node.path("curriculum_steps").asInt());
    }
}
