package dev.hovle.tools.bench;

import java.util.List;

/**
 * Which side of a comparison runs first in each round: ABBA, the engine first in odd rounds and the pipeline first in
 * even ones, so a machine that speeds up or slows down steadily favours neither side over a pair of rounds.
 */
public final class RoundOrder {
    /** The two things compared. */
    public enum Side { ENGINE, PIPELINE }

    private RoundOrder() {}

    /** The order of the sides in round {@code round}, counted from 1. */
    public static List<Side> of(int round) {
        if (round < 1) {
            throw new IllegalArgumentException("rounds count from 1, got " + round);
        }
        return round % 2 == 1 ? List.of(Side.ENGINE, Side.PIPELINE) : List.of(Side.PIPELINE, Side.ENGINE);
    }
}
