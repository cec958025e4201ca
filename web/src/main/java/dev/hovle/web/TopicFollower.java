package dev.hovle.web;

import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the five topics with read_committed consumers of their own (a throw-away group each: the page never moves
 * a job's offsets) and hands every event to the {@link StreamView}. Model updates are read from the beginning, so
 * the timeline is whole; the rest from the beginning or from now, as configured.
 */
final class TopicFollower implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT_FOR_IMAGES = Duration.ofSeconds(2);
    private static final int MAX_WAITING = 10_000;

    private final StreamView view;
    private final Topics topics;
    private final EventReader<ImageEvent> images;
    private final EventReader<VlmRequest> requests;
    private final EventReader<VlmResult> results;
    private final EventReader<ModelUpdate> updates;
    private final EventReader<DeadLetter> deadLetters;
    /** Results waiting for their pictures, which come on another topic and may be read a moment later. */
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private volatile boolean stopped;

    private record Waiting(VlmResult result, long sinceNanos) {}

    TopicFollower(String bootstrapServers, Topics topics, boolean fromBeginning, StreamView view) {
        this.view = view;
        this.topics = topics;
        this.images = EventReader.open(bootstrapServers, topics.images(), ImageEvent.class, fromBeginning);
        this.requests = EventReader.open(bootstrapServers, topics.requests(), VlmRequest.class, fromBeginning);
        this.results = EventReader.open(bootstrapServers, topics.results(), VlmResult.class, fromBeginning);
        this.updates = EventReader.open(bootstrapServers, topics.modelUpdates(), ModelUpdate.class, true);
        this.deadLetters = EventReader.open(bootstrapServers, topics.deadLetters(), DeadLetter.class, fromBeginning);
    }

    /** Waits until every reader has its partitions, so nothing sent after this returns is missed. */
    void awaitAssignment() {
        for (EventReader<?> reader : List.of(images, requests, results, updates, deadLetters)) {
            reader.awaitAssignment(ASSIGNMENT_TIMEOUT);
        }
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                // Images and requests first: a result's picture and question arrive before the result does.
                drain(images, topics.images(), Duration.ofMillis(20), (e, now) -> view.onImage(e));
                drain(requests, topics.requests(), Duration.ZERO, (e, now) -> view.onRequest(e));
                drain(results, topics.results(), Duration.ofMillis(100),
                        (e, now) -> waiting.addLast(new Waiting(e, System.nanoTime())));
                showReadyResults();
                drain(updates, topics.modelUpdates(), Duration.ZERO, (e, now) -> view.onUpdate(e));
                drain(deadLetters, topics.deadLetters(), Duration.ZERO, (e, now) -> view.onDeadLetter(e));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the web page stopped following the topics", e);
        } finally {
            for (EventReader<?> reader : List.of(images, requests, results, updates, deadLetters)) {
                reader.close();
            }
        }
    }

    /** Shows waiting results in order once their pictures are known, or once they have waited long enough. */
    private void showReadyResults() {
        long now = System.nanoTime();
        while (!waiting.isEmpty() && (waiting.size() > MAX_WAITING || view.knowsImagesOf(waiting.peekFirst().result())
                || now - waiting.peekFirst().sinceNanos() > MAX_WAIT_FOR_IMAGES.toNanos())) {
            view.onResult(waiting.removeFirst().result(), System.currentTimeMillis());
        }
    }

    private <T extends SpecificRecord> void drain(EventReader<T> reader, String topic, Duration timeout, BiConsumer<T, Long> sink) {
        for (EventReader.Received<T> r : reader.poll(timeout)) {
            if (r.event() == null) {
                view.onUndecodable(topic);
            } else {
                try {
                    sink.accept(r.event(), System.currentTimeMillis());
                } catch (RuntimeException e) {
                    // A record the page cannot show must not stop it from showing the next one.
                    LOG.warn("could not show the record at {}-{}@{}", topic, r.partition(), r.offset(), e);
                    view.onUndecodable(topic);
                }
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (EventReader<?> reader : List.of(images, requests, results, updates, deadLetters)) {
            reader.wakeup();
        }
    }
}
