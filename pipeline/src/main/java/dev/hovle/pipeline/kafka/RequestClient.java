package dev.hovle.pipeline.kafka;

import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Sends one request (and its image, if it names one) to a running pipeline and waits for what the job commits for
 * it: the result keyed by its request id, or a dead letter keyed by it.
 *
 * <pre>{@code
 * try (RequestClient client = RequestClient.connect(servers, Topics.defaults())) {
 *     RequestClient.Outcome outcome = client.ask(request, image, Duration.ofSeconds(60));
 * }
 * }</pre>
 */
public final class RequestClient implements AutoCloseable {
    private final Topics topics;
    private final EventProducer producer;
    private final EventReader<VlmResult> results;
    private final EventReader<DeadLetter> deadLetters;

    /** What became of a request: exactly one of result and dead letter is set. */
    public record Outcome(VlmResult result, DeadLetter deadLetter) {}

    /**
     * The topic names the pipeline uses.
     *
     * @param images images topic
     * @param requests requests topic
     * @param results results topic
     * @param deadLetters dead-letter topic
     */
    public record Topics(String images, String requests, String results, String deadLetters) {
        /** The default names, as {@link Topic} gives them. */
        public static Topics defaults() {
            return new Topics(Topic.IMAGES.defaultName(), Topic.REQUESTS.defaultName(),
                    Topic.RESULTS.defaultName(), Topic.DEAD_LETTERS.defaultName());
        }
    }

    private RequestClient(String bootstrapServers, Topics topics) {
        this.topics = topics;
        this.producer = EventProducer.connect(bootstrapServers);
        this.results = EventReader.open(bootstrapServers, topics.results(), VlmResult.class, false);
        this.deadLetters = EventReader.open(bootstrapServers, topics.deadLetters(), DeadLetter.class, false);
    }

    /** A client of the pipeline reading and writing {@code topics} on the cluster at {@code bootstrapServers}. */
    public static RequestClient connect(String bootstrapServers, Topics topics) {
        return new RequestClient(bootstrapServers, topics);
    }

    /** Joins the result and dead-letter topics; {@link #ask} does it too, this lets a caller do it ahead of time. */
    public void awaitReady(Duration timeout) {
        // Listen before sending: the readers start at the end of the topics, and must not miss a fast answer.
        results.awaitAssignment(timeout);
        deadLetters.awaitAssignment(timeout);
    }

    /** Sends {@code image} (when not null) and then {@code request}, and waits for the request's outcome. */
    public Outcome ask(VlmRequest request, ImageEvent image, Duration timeout) throws Exception {
        awaitReady(timeout);
        if (image != null) {
            producer.send(topics.images(), image);
        }
        producer.send(topics.requests(), request).get();
        ByteBuffer key = ByteBuffer.wrap(request.getRequestId().getBytes(StandardCharsets.UTF_8));
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (EventReader.Received<VlmResult> r : results.poll(Duration.ofMillis(100))) {
                if (r.event() != null && r.event().getRequestId().equals(request.getRequestId())) {
                    return new Outcome(r.event(), null);
                }
            }
            for (EventReader.Received<DeadLetter> d : deadLetters.poll(Duration.ofMillis(10))) {
                if (d.event() != null && key.equals(d.event().getKey())) {
                    return new Outcome(null, d.event());
                }
            }
        }
        throw new TimeoutException("no result or dead letter for request " + request.getRequestId() + " within "
                + timeout + ": is the pipeline running, and reading " + topics.requests() + "?");
    }

    @Override
    public void close() {
        producer.close();
        results.close();
        deadLetters.close();
    }
}
