package dev.hovle.web;

import java.util.Map;

/**
 * What the running jobs report about themselves that no topic carries: engine queue and batch occupancy, tokens per
 * second, back-pressure, the trainer's step and loss. The page shows whatever is given and says when nothing is.
 * {@code hovle run} reads its MiniClusters' metrics in place; beside a cluster, point it at Flink's REST API.
 */
@FunctionalInterface
public interface JobGauges {
    /** No metrics source: the page shows only what the topics say. */
    JobGauges NONE = Map::of;

    /** Engine batch occupancy, 0 to 1, the most loaded engine. */
    String BATCH_OCCUPANCY = "engine.batchOccupancy";
    /** Requests waiting for a free engine slot. */
    String QUEUE_DEPTH = "engine.queueDepth";
    /** Tokens generated per second, all engines. */
    String TOKENS_PER_SECOND = "generation.tokensPerSecond";
    /** Time to first token, milliseconds. */
    String TIME_TO_FIRST_TOKEN = "generation.timeToFirstTokenMillis";
    /** Share of time the Kafka sources were back-pressured, 0 to 1. */
    String SOURCE_BACK_PRESSURE = "source.backPressure";
    /** Optimizer steps the trainer has taken. */
    String TRAINING_STEP = "training.step";
    /** The trainer's latest loss. */
    String TRAINING_LOSS = "training.loss";
    /** Training samples per second. */
    String TRAINING_SAMPLES_PER_SECOND = "training.samplesPerSecond";

    /** The current values by the names above; absent names are unknown, never zero. */
    Map<String, Double> read();
}
