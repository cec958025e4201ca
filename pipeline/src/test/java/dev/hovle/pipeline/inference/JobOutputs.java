package dev.hovle.pipeline.inference;

import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Everything the job committed to the results and dead-letter topics, read with read_committed on a background
 * thread; tests wait on conditions over it with a timeout.
 */
final class JobOutputs implements AutoCloseable {
    private final EventReader<VlmResult> results;
    private final EventReader<DeadLetter> deadLetters;
    private final List<VlmResult> seenResults = new ArrayList<>();
    private final List<DeadLetter> seenDeadLetters = new ArrayList<>();
    private final Thread poller;
    private volatile boolean closed;

    JobOutputs(String bootstrapServers) {
        results = EventReader.open(bootstrapServers, Topic.RESULTS.defaultName(), VlmResult.class, true);
        deadLetters = EventReader.open(bootstrapServers, Topic.DEAD_LETTERS.defaultName(), DeadLetter.class, true);
        poller = new Thread(this::poll, "job-outputs");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        try {
            while (!closed) {
                var r = results.poll(Duration.ofMillis(50));
                var d = deadLetters.poll(Duration.ofMillis(50));
                synchronized (this) {
                    r.forEach(x -> seenResults.add(x.event()));
                    d.forEach(x -> seenDeadLetters.add(x.event()));
                    if (!r.isEmpty() || !d.isEmpty()) {
                        notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    /** The result of {@code requestId}, once committed. */
    VlmResult awaitResult(String requestId, Duration timeout) throws Exception {
        return await(() -> find(seenResults, r -> r.getRequestId().equals(requestId)), timeout,
                "result of " + requestId);
    }

    /** The first committed dead letter matching {@code match}. */
    DeadLetter awaitDeadLetter(Predicate<DeadLetter> match, String what, Duration timeout) throws Exception {
        return await(() -> find(seenDeadLetters, match), timeout, "dead letter " + what);
    }

    /** Waits until {@code condition} holds over the committed results. */
    List<VlmResult> awaitResults(Predicate<List<VlmResult>> condition, String what, Duration timeout) throws Exception {
        return await(() -> condition.test(seenResults) ? List.copyOf(seenResults) : null, timeout, what);
    }

    /** Waits until {@code condition} holds over the committed dead letters. */
    List<DeadLetter> awaitDeadLetters(Predicate<List<DeadLetter>> condition, String what, Duration timeout)
            throws Exception {
        return await(() -> condition.test(seenDeadLetters) ? List.copyOf(seenDeadLetters) : null, timeout, what);
    }

    synchronized List<VlmResult> results() {
        return List.copyOf(seenResults);
    }

    synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(seenDeadLetters);
    }

    private synchronized <T> T await(java.util.function.Supplier<T> probe, Duration timeout, String what)
            throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        T found;
        while ((found = probe.get()) == null) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no " + what + " within " + timeout + "; results so far: "
                        + seenResults.stream().map(VlmResult::getRequestId).toList() + ", dead letters: "
                        + seenDeadLetters.stream().map(l -> l.getErrorType() + ": " + l.getMessage()).toList());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return found;
    }

    private static <T> T find(List<T> seen, Predicate<T> match) {
        return seen.stream().filter(match).findFirst().orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        poller.join();
        results.close();
        deadLetters.close();
    }
}
