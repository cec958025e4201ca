package dev.hovle.web;

import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ImageAttributes;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the page shows, built from the committed records of the topics and nothing else: the newest results with
 * their pictures and questions, every model version with its history, the newest dead letters, and the rates.
 * Answers to labelled questions ({@link ImageAttributes}) are judged. Everything is bounded: a page left open for a week holds the same memory as one opened a minute ago.
 *
 * <p>Thread-safe: one follower thread writes, HTTP threads read.
 */
final class StreamView {
    static final int RESULTS_KEPT = 48;
    static final int DEAD_LETTERS_KEPT = 40;
    static final int TIMELINE_KEPT = 400;
    private static final int IMAGES_KEPT = 256;
    private static final long IMAGE_BYTES_KEPT = 64L << 20;
    private static final int IMAGE_BYTES_PREVIEWED = 16 << 20;
    private static final int REQUESTS_KEPT = 4096;
    private static final int VERSIONS_KEPT = 500;
    private static final int KEY_CHARS_SHOWN = 80;
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;
    private static final int LATENCIES_KEPT = 200;

    /** A model version as the page lists it, with how its answers fared. */
    record VersionView(String model, String version, String parent, String status, String stage, long step,
            long samplesSeen, Map<String, Double> metrics, String reason, long time) {}

    /** How the answers of one serving version fared; {@code judged} counts the answers to labelled questions. */
    record Answers(String version, long answered, long judged, long right) {}

    /** One update of the timeline, oldest first. */
    record TimelineEntry(String model, String version, String status, String reason, long step,
            Map<String, Double> metrics, long time) {}

    /** A picture of a result: whether the page can show it, or where it is stored. */
    record ImageRef(String id, boolean preview, String uri) {}

    /** A committed caption or answer. */
    record ResultView(String requestId, String task, String text, String finishReason, List<ImageRef> images,
            String question, String expected, String verdict, String modelVersion, long latencyMillis,
            int generatedTokens, long time) {}

    /** A dead letter with its provenance; the payload only by size. */
    record DeadLetterView(String errorType, String stage, String message, String sourceTopic, Integer partition,
            Long offset, String key, int payloadBytes, String modelVersion, long time) {}

    /** The rates and counts of the moment. */
    record Stats(long time, long results, double resultsPerSecond, Double latencyP50Millis, Double latencyP95Millis,
            long deadLetters, Map<String, Long> deadLettersByType, Map<String, Long> undecodable, Long consumerLag,
            String servingVersion, List<Answers> answersByVersion, Map<String, Double> gauges) {}

    /** Everything at once, for a page that has just opened or reconnected. */
    record Snapshot(List<ResultView> results, List<VersionView> versions, List<TimelineEntry> timeline,
            List<DeadLetterView> deadLetters, Stats stats) {}

    /** A change pushed to open pages: {@code type} is result, version, deadletter or stats. */
    record Change(String type, Object data) {}

    private static final class Picture {
        final String source;
        final String uri;
        final String expectedAnswer;
        final String question;
        byte[] encoded;
        byte[] preview;
        boolean undecodable;

        Picture(ImageEvent event, byte[] encoded) {
            this.source = event.getSource();
            this.uri = event.getUri();
            this.expectedAnswer = event.getAttributes().get(ImageAttributes.EXPECTED_ANSWER);
            this.question = event.getAttributes().get(ImageAttributes.QUESTION);
            this.encoded = encoded;
        }

        long bytes() {
            return (encoded == null ? 0 : encoded.length) + (preview == null ? 0 : preview.length);
        }
    }

    private final Thumbnails thumbnails = new Thumbnails();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final LinkedHashMap<String, Picture> pictures = new LinkedHashMap<>(64, 0.75f, true);
    private long pictureBytes;
    private final LinkedHashMap<String, String> prompts = new LinkedHashMap<>();
    private final Deque<ResultView> results = new ArrayDeque<>();
    private final LinkedHashMap<String, VersionView> versions = new LinkedHashMap<>();
    private final Deque<TimelineEntry> timeline = new ArrayDeque<>();
    /** By serving version, the one that answered last at the end. */
    private final LinkedHashMap<String, Answers> answers = new LinkedHashMap<>();
    private final Deque<DeadLetterView> deadLetters = new ArrayDeque<>();
    private final Map<String, Long> deadLettersByType = new TreeMap<>();
    private final Map<String, Long> undecodable = new TreeMap<>();
    private final Deque<Long> resultNanos = new ArrayDeque<>();
    private final Deque<Long> latencies = new ArrayDeque<>();
    private long resultCount;
    private long deadLetterCount;
    private String servingVersion;

    /** Calls {@code listener} with every change from now on, on the follower's thread: it must not block. */
    void subscribe(Consumer<Change> listener) {
        listeners.add(listener);
    }

    void unsubscribe(Consumer<Change> listener) {
        listeners.remove(listener);
    }

    synchronized void onImage(ImageEvent event) {
        ByteBuffer data = event.getData();
        byte[] encoded = null;
        if (data != null && data.remaining() <= IMAGE_BYTES_PREVIEWED) {
            encoded = new byte[data.remaining()];
            data.duplicate().get(encoded);
        }
        Picture old = pictures.put(event.getImageId(), new Picture(event, encoded));
        pictureBytes += (encoded == null ? 0 : encoded.length) - (old == null ? 0 : old.bytes());
        trimPictures();
    }

    synchronized void onRequest(VlmRequest request) {
        if (request.getPrompt() != null) {
            prompts.put(request.getRequestId(), request.getPrompt());
            if (prompts.size() > REQUESTS_KEPT) {
                prompts.remove(prompts.keySet().iterator().next());
            }
        }
    }

    /** Whether every picture {@code result} names has been read (or it names none). */
    synchronized boolean knowsImagesOf(VlmResult result) {
        return pictures.keySet().containsAll(result.getImageIds());
    }

    /** A committed result, seen at {@code nowMillis}. */
    void onResult(VlmResult result, long nowMillis) {
        ResultView view;
        synchronized (this) {
            String question = prompts.remove(result.getRequestId());
            List<ImageRef> images = new ArrayList<>();
            String expected = null;
            for (String id : result.getImageIds()) {
                Picture p = pictures.get(id);
                boolean previewable = p != null && !p.undecodable && (p.encoded != null || p.preview != null);
                images.add(new ImageRef(id, previewable, p == null ? null : p.uri));
                if (question == null && p != null && result.getTask() == Task.QA) {
                    question = p.question; // the request may not have been read yet; the picture says what it asks
                }
                if (p != null && p.expectedAnswer != null && result.getTask() == Task.QA
                        && (p.question == null || p.question.equals(question))) {
                    expected = p.expectedAnswer;
                }
            }
            String verdict = expected == null ? null : result.getText().strip().equals(expected.strip())
                    ? "right" : "wrong";
            long latency = Math.max(0, result.getProcessingTime().toEpochMilli() - result.getEventTime().toEpochMilli());
            view = new ResultView(result.getRequestId(), result.getTask().name(), result.getText(),
                    result.getFinishReason().name(), images, question, expected, verdict, result.getModelVersion(),
                    latency, result.getGeneratedTokens(), nowMillis);
            keep(results, view, RESULTS_KEPT);
            keep(latencies, latency, LATENCIES_KEPT);
            resultNanos.addLast(System.nanoTime());
            resultCount++;
            servingVersion = result.getModelVersion();
            countAnswer(result.getModelVersion(), verdict);
        }
        publish(new Change("result", view));
    }

    void onUpdate(ModelUpdate update) {
        VersionView view;
        TimelineEntry entry;
        synchronized (this) {
            String key = update.getModelName() + "/" + update.getVersion();
            VersionView before = versions.remove(key);
            Map<String, Double> metrics = new TreeMap<>(before == null ? Map.of() : before.metrics());
            metrics.putAll(update.getMetrics());
            view = new VersionView(update.getModelName(), update.getVersion(), update.getParentVersion(),
                    update.getStatus().name(), update.getStage().name(), update.getStep(), update.getSamplesSeen(),
                    metrics, update.getReason(), update.getTime().toEpochMilli());
            versions.put(key, view);
            if (versions.size() > VERSIONS_KEPT) {
                versions.remove(versions.keySet().iterator().next());
            }
            entry = new TimelineEntry(update.getModelName(), update.getVersion(), update.getStatus().name(),
                    update.getReason(), update.getStep(), new TreeMap<>(update.getMetrics()),
                    update.getTime().toEpochMilli());
            keep(timeline, entry, TIMELINE_KEPT);
        }
        publish(new Change("version", Map.of("version", view, "entry", entry)));
    }

    void onDeadLetter(DeadLetter letter) {
        DeadLetterView view;
        synchronized (this) {
            view = new DeadLetterView(letter.getErrorType().name(), letter.getStage().name(), letter.getMessage(),
                    letter.getSourceTopic(), letter.getSourcePartition(), letter.getSourceOffset(),
                    keyText(letter.getKey()), letter.getPayload() == null ? 0 : letter.getPayload().remaining(),
                    letter.getModelVersion(), letter.getTime().toEpochMilli());
            keep(deadLetters, view, DEAD_LETTERS_KEPT);
            deadLettersByType.merge(view.errorType(), 1L, Long::sum);
            deadLetterCount++;
        }
        publish(new Change("deadletter", view));
    }

    /** A record on {@code topic} that is not a HoVLE event: counted, never shown. */
    synchronized void onUndecodable(String topic) {
        undecodable.merge(topic, 1L, Long::sum);
    }

    /** The preview PNG of an image still held, or empty (unknown, evicted, stored by URI, or not an image). */
    Optional<byte[]> preview(String imageId) {
        byte[] encoded;
        synchronized (this) {
            Picture p = pictures.get(imageId);
            if (p == null || p.undecodable) {
                return Optional.empty();
            }
            if (p.preview != null) {
                return Optional.of(p.preview);
            }
            encoded = p.encoded;
        }
        if (encoded == null) {
            return Optional.empty();
        }
        byte[] png;
        try {
            png = thumbnails.previewPng(encoded); // outside the lock: decoding takes milliseconds
        } catch (InvalidImageException e) {
            png = null;
        }
        synchronized (this) {
            Picture p = pictures.get(imageId);
            if (p != null && p.encoded == encoded) {
                pictureBytes -= p.bytes();
                p.encoded = null; // the preview replaces the original: the page never needs it again
                p.preview = png;
                p.undecodable = png == null;
                pictureBytes += p.bytes();
            }
        }
        return Optional.ofNullable(png);
    }

    /** The rates and counts now, with the jobs' gauges and the consumer lag when known. */
    synchronized Stats stats(Map<String, Double> gauges, Long consumerLag) {
        long now = System.nanoTime();
        while (!resultNanos.isEmpty() && now - resultNanos.peekFirst() > RATE_WINDOW_NANOS) {
            resultNanos.removeFirst();
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Stats(System.currentTimeMillis(), resultCount, resultNanos.size() / (RATE_WINDOW_NANOS / 1e9),
                percentile(sorted, 0.5), percentile(sorted, 0.95), deadLetterCount, new TreeMap<>(deadLettersByType),
                new TreeMap<>(undecodable), consumerLag, servingVersion, List.copyOf(answers.values()),
                new TreeMap<>(gauges));
    }

    synchronized Snapshot snapshot(Stats stats) {
        return new Snapshot(List.copyOf(results), List.copyOf(versions.values()), List.copyOf(timeline),
                List.copyOf(deadLetters), stats);
    }

    /** Publishes the stats of the moment to open pages. */
    void publishStats(Stats stats) {
        publish(new Change("stats", stats));
    }

    private void countAnswer(String version, String verdict) {
        Answers before = answers.remove(version);
        answers.put(version, new Answers(version, (before == null ? 0 : before.answered()) + 1,
                (before == null ? 0 : before.judged()) + (verdict == null ? 0 : 1),
                (before == null ? 0 : before.right()) + ("right".equals(verdict) ? 1 : 0)));
        if (answers.size() > VERSIONS_KEPT) {
            answers.remove(answers.keySet().iterator().next());
        }
    }

    private void publish(Change change) {
        for (Consumer<Change> listener : listeners) {
            listener.accept(change);
        }
    }

    private void trimPictures() {
        Iterator<Picture> oldest = pictures.values().iterator();
        while ((pictures.size() > IMAGES_KEPT || pictureBytes > IMAGE_BYTES_KEPT) && oldest.hasNext()) {
            pictureBytes -= oldest.next().bytes();
            oldest.remove();
        }
    }

    private static <T> void keep(Deque<T> newestLast, T item, int max) {
        newestLast.addLast(item);
        if (newestLast.size() > max) {
            newestLast.removeFirst();
        }
    }

    private static Double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? null : (double) sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    /** A record key as text when it is text, else as hex; cut to a length a table can show. */
    static String keyText(ByteBuffer key) {
        if (key == null) {
            return null;
        }
        byte[] bytes = new byte[Math.min(key.remaining(), KEY_CHARS_SHOWN)];
        key.duplicate().get(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean printable = text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7F && c != 0xFFFD);
        String shown = printable ? text : hex(bytes);
        return key.remaining() > KEY_CHARS_SHOWN ? shown + "…" : shown;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder("0x");
        for (byte b : Arrays.copyOf(bytes, Math.min(bytes.length, KEY_CHARS_SHOWN / 2))) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }
}
