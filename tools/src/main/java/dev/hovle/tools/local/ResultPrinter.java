package dev.hovle.tools.local;

import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmResult;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Prints what the jobs commit as it happens: every caption and answer with its image ids, latency and model
 * version, every dead letter, and every model update (a candidate, the gate's verdict, a rollback). Reads with read_committed, so it shows what downstream consumers see.
 */
final class ResultPrinter implements Runnable, AutoCloseable {
    private final EventReader<VlmResult> results;
    private final EventReader<DeadLetter> deadLetters;
    private final PrintStream out;
    private final EventReader<ModelUpdate> updates;
    private final Function<VlmResult, String> questions;
    private final AtomicLong captions = new AtomicLong();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong latencyMillis = new AtomicLong();
    private volatile boolean stopped;

    /**
     * @param updatesTopic the model-updates topic to print as well, or null
     * @param questions what a result answered (the question, maybe judged), or null when unknown
     */
    ResultPrinter(String bootstrapServers, String resultsTopic, String deadLettersTopic, String updatesTopic,
            boolean fromBeginning, PrintStream out, Function<VlmResult, String> questions) {
        this.results = EventReader.open(bootstrapServers, resultsTopic, VlmResult.class, fromBeginning);
        this.deadLetters = EventReader.open(bootstrapServers, deadLettersTopic, DeadLetter.class, fromBeginning);
        this.updates = updatesTopic == null ? null
                : EventReader.open(bootstrapServers, updatesTopic, ModelUpdate.class, fromBeginning);
        this.out = out;
        this.questions = questions;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                for (EventReader.Received<VlmResult> r : results.poll(Duration.ofMillis(100))) {
                    if (r.event() == null) {
                        continue;
                    }
                    VlmResult result = r.event();
                    Instant now = Instant.now();
                    (result.getTask() == Task.CAPTION ? captions : answers).incrementAndGet();
                    latencyMillis.addAndGet(Duration.between(result.getEventTime(), now).toMillis());
                    out.println(EventLines.result(result, questions.apply(result), now));
                }
                if (updates != null) {
                    for (EventReader.Received<ModelUpdate> u : updates.poll(Duration.ofMillis(10))) {
                        if (u.event() != null) {
                            out.println(EventLines.update(u.event()));
                        }
                    }
                }
                for (EventReader.Received<DeadLetter> d : deadLetters.poll(Duration.ofMillis(10))) {
                    if (d.event() != null) {
                        dead.incrementAndGet();
                        out.println(EventLines.deadLetter(d.event()));
                    }
                }
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            results.close();
            deadLetters.close();
            if (updates != null) {
                updates.close();
            }
        }
    }

    long captions() {
        return captions.get();
    }

    long answers() {
        return answers.get();
    }

    long deadLetters() {
        return dead.get();
    }

    /** Mean end-to-end latency of the results printed so far, in milliseconds (NaN before the first). */
    double meanLatencyMillis() {
        long n = captions.get() + answers.get();
        return n == 0 ? Double.NaN : (double) latencyMillis.get() / n;
    }

    @Override
    public void close() {
        stopped = true;
        results.wakeup();
        deadLetters.wakeup();
        if (updates != null) {
            updates.wakeup();
        }
    }
}
