package dev.hovle.operators.inference;

import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.InlineImage;
import java.nio.ByteBuffer;

/** Turns the schemas' image carriers into {@link ImageInput}s. */
final class ImageInputs {
    private ImageInputs() {}

    /** An image event's bytes or URI, labelled by its id. */
    static ImageInput of(ImageEvent event) {
        byte[] data = event.getData() == null ? null : bytes(event.getData());
        return new ImageInput(event.getImageId(), event.getMediaType(), data, event.getUri());
    }

    /** The {@code n}-th (from 1) inline image of a request. */
    static ImageInput inline(InlineImage image, int n) {
        return new ImageInput("inline image " + n, image.getMediaType(), bytes(image.getData()), null);
    }

    /** A copy of the buffer's remaining bytes, leaving the buffer as it was. */
    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
