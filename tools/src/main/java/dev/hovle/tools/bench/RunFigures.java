package dev.hovle.tools.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * One measured run of a batch of requests, timed between its first and its last completion so that the time to
 * fill the engine (Kafka, decoding, preparation on the pipeline side) is kept apart from the throughput.
 *
 * @param what engine or pipeline
 * @param requests requests completed
 * @param tokens tokens generated after the first completion
 * @param seconds from the first to the last completion
 * @param firstSeconds from handing the requests over to the first completion
 * @param steps engine steps run (fewer, fuller batches are better)
 * @param meanStepMillis their mean time (longer when other work competes for the cores)
 */
public record RunFigures(String what, int requests, long tokens, double seconds, double firstSeconds, long steps,
        double meanStepMillis) {

    /**
     * The figures of a run from each request's completion time and generated tokens.
     *
     * @param start when the requests were handed over, in the unit of {@code done}
     * @param done completion times
     * @param secondsPerUnit seconds per unit of {@code start} and {@code done}
     */
    static RunFigures of(String what, long start, long[] done, int[] tokens, double secondsPerUnit, StepCount round) {
        int first = 0;
        int last = 0;
        for (int i = 1; i < done.length; i++) {
            first = done[i] < done[first] ? i : first;
            last = done[i] > done[last] ? i : last;
        }
        // The first request's tokens were made before the clock started.
        long generated = Arrays.stream(tokens).sum() - tokens[first];
        return new RunFigures(what, done.length, generated, (done[last] - done[first]) * secondsPerUnit,
                (done[first] - start) * secondsPerUnit, round.steps(), round.meanStepMillis());
    }

    /** Generated tokens per second. */
    public double tokensPerSecond() {
        return tokens / seconds;
    }

    /** From handing the requests over to the last completion. */
    public double spanSeconds() {
        return firstSeconds + seconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%-9s %5d requests %7.2f s %8.1f tok/s, first after %6.1f ms, %6d steps "
                + "%7.2f ms/step", what, requests, seconds, tokensPerSecond(), 1e3 * firstSeconds, steps, meanStepMillis);
    }
}
