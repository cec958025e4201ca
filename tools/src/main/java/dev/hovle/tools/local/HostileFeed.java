package dev.hovle.tools.local;

import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.testkit.HostileImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * One hostile record per tick, as an attacker or a broken producer would send them, for {@code hovle run
 * --hostile-every}: random bytes, truncated Avro, image bombs, URIs of devices and of files outside any allowed prefix,
 * absurd generation settings, huge id lists, prompts past the context. Each is keyed {@code hostile-N-kind}; the
 * inference job must turn each into one dead letter and keep serving.
 */
public final class HostileFeed implements Runnable {
    private static final EventCodec<VlmRequest> REQUESTS = EventCodec.of(VlmRequest.class);
    private static final EventCodec<ImageEvent> IMAGES = EventCodec.of(ImageEvent.class);
    private static final List<String> KINDS = List.of("noise", "truncated", "png-bomb", "jpeg-bomb", "webp-bomb",
            "etc-passwd", "dev-zero", "walks-up", "absurd-top-p", "huge-id-list", "endless-prompt", "gif");

    private final EventProducer producer;
    private final String imagesTopic;
    private final String requestsTopic;
    private final Random random = new Random(18);
    private final AtomicLong sent = new AtomicLong();

    public HostileFeed(EventProducer producer, String imagesTopic, String requestsTopic) {
        this.producer = producer;
        this.imagesTopic = imagesTopic;
        this.requestsTopic = requestsTopic;
    }

    @Override
    public void run() {
        long n = sent.getAndIncrement();
        String kind = KINDS.get((int) (n % KINDS.size()));
        String key = "hostile-" + n + "-" + kind;
        byte[] gif = HostileImages.gif();
        switch (kind) {
            case "noise" -> send(requestsTopic, key, HostileImages.noise(random, 1 + random.nextInt(400)));
            case "truncated" -> {
                byte[] whole = REQUESTS.encode(caption(key, gif));
                send(requestsTopic, key, Arrays.copyOf(whole, 10 + random.nextInt(whole.length - 10)));
            }
            case "png-bomb" -> send(imagesTopic, key, IMAGES.encode(image(key,
                    HostileImages.pngDeclaring(60_000, 60_000))));
            case "jpeg-bomb" -> send(requestsTopic, key, REQUESTS.encode(caption(key,
                    HostileImages.jpegDeclaring(65_000, 65_000))));
            case "webp-bomb" -> send(imagesTopic, key, IMAGES.encode(image(key,
                    HostileImages.webpDeclaring(16_384, 16_384))));
            case "etc-passwd" -> send(imagesTopic, key, IMAGES.encode(byUri(key, "file:///etc/passwd")));
            case "dev-zero" -> send(imagesTopic, key, IMAGES.encode(byUri(key, "file:///dev/zero")));
            case "walks-up" -> send(imagesTopic, key, IMAGES.encode(byUri(key, "file:///tmp/../etc/shadow")));
            case "absurd-top-p" -> send(requestsTopic, key, REQUESTS.encode(VlmRequest.newBuilder(caption(key, gif))
                    .setGeneration(GenerationParams.newBuilder().setTopP(7f).build()).build()));
            case "huge-id-list" -> send(requestsTopic, key, REQUESTS.encode(VlmRequest.newBuilder(caption(key, gif))
                    .setTask(Task.QA).setPrompt("Which?").setImages(List.of())
                    .setImageIds(IntStream.range(0, 10_000).mapToObj(i -> "img-" + i).toList()).build()));
            case "endless-prompt" -> send(requestsTopic, key, REQUESTS.encode(VlmRequest.newBuilder(caption(key, gif))
                    .setTask(Task.CHAT).setPrompt("why ".repeat(50_000)).setHistory(List.of(
                            new ChatTurn(ChatRole.USER, "Hi"), new ChatTurn(ChatRole.ASSISTANT, "Hello"))).build()));
            default -> send(requestsTopic, key, REQUESTS.encode(caption(key, gif)));
        }
    }

    private void send(String topic, String key, byte[] value) {
        producer.sendRaw(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Hostile records sent so far. */
    public long sent() {
        return sent.get();
    }

    private static VlmRequest caption(String id, byte[] image) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(Instant.now())
                .setImages(List.of(InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(image))
                        .build())).build();
    }

    private static ImageEvent image(String id, byte[] data) {
        return ImageEvent.newBuilder().setImageId(id).setSource("hostile-feed").setEventTime(Instant.now())
                .setMediaType("image/png").setData(ByteBuffer.wrap(data)).build();
    }

    private static ImageEvent byUri(String id, String uri) {
        return ImageEvent.newBuilder(image(id, new byte[0])).setData(null).setUri(uri).build();
    }
}
