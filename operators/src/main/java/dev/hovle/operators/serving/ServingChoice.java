package dev.hovle.operators.serving;

/**
 * The version a job decided to serve, with the position of the update that decided it: updates of one model line
 * share a partition (they are keyed by its name), so a later decision always has a larger offset.
 *
 * @param version the chosen version
 * @param topic the updates topic, or null for the configured snapshot chosen at start
 * @param partition the deciding update's partition
 * @param offset the deciding update's offset; -1 for the configured snapshot chosen at start
 */
public record ServingChoice(String version, String topic, int partition, long offset) {

    /** The configured snapshot, chosen before any update was read. */
    static ServingChoice initial(String version) {
        return new ServingChoice(version, null, 0, -1);
    }
}
