package dev.hovle.model.vision;

import dev.hovle.model.vision.InvalidImageException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * Checks that a WebP file's RIFF container is complete before decoding.
 *
 * <p>libwebp (behind Pillow) refuses a file whose RIFF size or chunk sizes run past the end of the data, while
 * TwelveMonkeys' lossless decoder reads zeros past the end and returns an image.
 */
final class WebpContainer {

    private static final int RIFF_HEADER = 12; // "RIFF", size, "WEBP"
    private static final int CHUNK_HEADER = 8; // fourcc, size

    private WebpContainer() {}

    /** Refuses {@code webp} as {@link Reason#CORRUPT} unless the RIFF size and every chunk fit in the data. */
    static void checkComplete(byte[] webp) throws InvalidImageException {
        long riffEnd = CHUNK_HEADER + readUInt32(webp, 4);
        if (riffEnd > webp.length) {
            throw corrupt("truncated, the RIFF header announces " + riffEnd + " bytes but there are " + webp.length);
        }
        long pos = RIFF_HEADER;
        int chunks = 0;
        while (pos + CHUNK_HEADER <= riffEnd) {
            long size = readUInt32(webp, (int) pos + 4);
            long next = pos + CHUNK_HEADER + size + (size & 1);
            // The last chunk may omit its padding byte; libwebp accepts that.
            if (pos + CHUNK_HEADER + size > riffEnd) {
                String fourcc = new String(webp, (int) pos, 4, StandardCharsets.ISO_8859_1);
                throw corrupt("truncated, chunk '" + fourcc + "' of " + size + " bytes runs past the end of the data");
            }
            pos = next;
            chunks++;
        }
        if (chunks == 0) {
            throw corrupt("no chunks after the RIFF header");
        }
    }

    private static long readUInt32(byte[] data, int offset) {
        return (data[offset] & 0xFFL) | (data[offset + 1] & 0xFFL) << 8 | (data[offset + 2] & 0xFFL) << 16
                | (data[offset + 3] & 0xFFL) << 24;
    }

    private static InvalidImageException corrupt(String what) {
        return new InvalidImageException(Reason.CORRUPT, "corrupt WEBP image: " + what);
    }
}
