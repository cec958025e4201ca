package dev.hovle.tools.local;

import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.testkit.SyntheticImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A stream of images and questions like users send: every image goes to the images topic (and is captioned), a
 * question about it goes to the requests topic, half of them before their image; every fourth step also sends a
 * caption request with the image inline, and every twentieth an image whose bytes are cut off, which the job turns
 * into a dead letter. The sample images come first, then drawn scenes.
 */
public final class SyntheticStream implements Runnable {
    private final EventProducer producer;
    private final String imagesTopic;
    private final String requestsTopic;
    private final SyntheticImages scenes = new SyntheticImages(2024);
    private final List<Path> samples;
    private final Map<String, String> questions = new ConcurrentHashMap<>();
    private final AtomicLong step = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();

    /** A stream into the given topics, starting with the image files in {@code samplesDir} (may be absent). */
    public SyntheticStream(EventProducer producer, String imagesTopic, String requestsTopic, Path samplesDir)
            throws IOException {
        this.producer = producer;
        this.imagesTopic = imagesTopic;
        this.requestsTopic = requestsTopic;
        List<Path> files = new ArrayList<>();
        if (samplesDir != null && Files.isDirectory(samplesDir)) {
            try (Stream<Path> list = Files.list(samplesDir)) {
                list.filter(f -> f.toString().matches("(?i).*\\.(png|jpe?g|webp)$")).sorted().forEach(files::add);
            }
        }
        this.samples = files;
    }

    /** Sends one step's events; called at the stream's rate. */
    @Override
    public void run() {
        long n = step.incrementAndGet();
        String imageId = String.format(Locale.ROOT, "img-%04d", n);
        Instant now = Instant.now();
        if (n % 20 == 0) {
            producer.send(imagesTopic, image(imageId, "image/png", scenes.corruptPng(64, 64), now));
            sent.incrementAndGet();
            return;
        }
        Image image = nextImage();
        String question = image.question();
        VlmRequest qa = VlmRequest.newBuilder().setRequestId(String.format(Locale.ROOT, "qa-%04d", n))
                .setTask(Task.QA).setEventTime(now).setImageIds(List.of(imageId)).setPrompt(question).build();
        questions.put(qa.getRequestId(), question);
        ImageEvent event = image(imageId, image.mediaType(), image.data(), now);
        // Half the questions arrive before their image: the job joins them whichever comes first.
        if (n % 2 == 0) {
            producer.send(requestsTopic, qa);
            producer.send(imagesTopic, event);
        } else {
            producer.send(imagesTopic, event);
            producer.send(requestsTopic, qa);
        }
        sent.addAndGet(2);
        if (n % 4 == 0) {
            Image inline = nextImage();
            producer.send(requestsTopic, VlmRequest.newBuilder().setRequestId(String.format(Locale.ROOT,
                    "inline-%04d", n)).setTask(Task.CAPTION).setEventTime(now)
                    .setImages(List.of(InlineImage.newBuilder().setMediaType(inline.mediaType())
                            .setData(ByteBuffer.wrap(inline.data())).build()))
                    .build());
            sent.incrementAndGet();
        }
    }

    /** The question the stream asked in {@code requestId}, or null for a request it did not send. */
    public String questionOf(String requestId) {
        return questions.remove(requestId);
    }

    /** Events sent so far. */
    public long sent() {
        return sent.get();
    }

    private record Image(byte[] data, String mediaType, String question) {}

    private Image nextImage() {
        int index = (int) (step.get() - 1);
        if (index < samples.size()) {
            Path file = samples.get(index);
            try {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                return new Image(Files.readAllBytes(file), name.endsWith(".png") ? "image/png" : name.endsWith(".webp")
                        ? "image/webp" : "image/jpeg", "What is on the left?");
            } catch (IOException e) {
                // An unreadable sample is skipped; the drawn scenes never run out.
            }
        }
        SyntheticImages.Scene scene = scenes.next(96 + 32 * (index % 3), 72 + 24 * (index % 2));
        return new Image(scene.data(), scene.mediaType(), scenes.question(scene));
    }

    private static ImageEvent image(String id, String mediaType, byte[] data, Instant time) {
        return ImageEvent.newBuilder().setImageId(id).setSource("synthetic").setEventTime(time).setMediaType(mediaType)
                .setData(ByteBuffer.wrap(data)).build();
    }
}
