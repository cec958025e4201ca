package dev.hovle.operators.inference;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.schemas.wire.EventCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Events and their Kafka records for operator tests. */
final class TestEvents {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final EventCodec<ImageEvent> IMAGES = EventCodec.of(ImageEvent.class);
    private static final EventCodec<VlmRequest> REQUESTS = EventCodec.of(VlmRequest.class);

    private TestEvents() {}

    static ImageEvent image(String id, byte[] data) {
        return ImageEvent.newBuilder().setImageId(id).setSource("test").setEventTime(T0).setMediaType("image/png")
                .setData(ByteBuffer.wrap(data)).build();
    }

    static IncomingImage incoming(ImageEvent image, long offset) {
        return new IncomingImage(image, record("hovle.images", offset, image.getImageId(), IMAGES.encode(image)));
    }

    static VlmRequest qa(String id, String question, String... imageIds) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.QA).setEventTime(T0).setPrompt(question)
                .setImageIds(List.of(imageIds)).build();
    }

    static VlmRequest inlineCaption(String id, byte[]... images) {
        return VlmRequest.newBuilder().setRequestId(id).setTask(Task.CAPTION).setEventTime(T0)
                .setImages(java.util.Arrays.stream(images).map(b -> InlineImage.newBuilder().setMediaType("image/png")
                        .setData(ByteBuffer.wrap(b)).build()).toList())
                .build();
    }

    static IncomingRequest incoming(VlmRequest request, long offset) {
        return new IncomingRequest(request, record("hovle.requests", offset, request.getRequestId(),
                REQUESTS.encode(request)), 0);
    }

    static SourceRecord record(String topic, long offset, String key, byte[] value) {
        return new SourceRecord(topic, 0, offset, key.getBytes(StandardCharsets.UTF_8), value);
    }
}
