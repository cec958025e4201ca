package dev.hovle.model.vision;

import dev.hovle.model.vision.InvalidImageException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The IHDR layout and PLTE palette of a PNG, read straight from the bytes.
 *
 * <p>Java's decoder hides both behind its colour models (it adds an alpha band for tRNS and pads short palettes),
 * but Pillow's conversion depends on them: a 16-bit grey PNG is clamped while 16-bit grey+alpha keeps the high byte,
 * and a palette index past the PLTE entries maps to grey (i, i, i), not to the last entry.
 *
 * @param bitDepth IHDR bit depth (1, 2, 4, 8 or 16)
 * @param colorType IHDR colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA)
 * @param palette PLTE entries as R, G, B bytes (empty when there is no PLTE chunk)
 */
record PngHeader(int bitDepth, int colorType, byte[] palette) {

    static final int GRAY = 0;
    static final int RGB = 2;
    static final int PALETTE = 3;
    static final int GRAY_ALPHA = 4;
    static final int RGBA = 6;

    private static final int SIGNATURE_LENGTH = 8;

    /** Parses the chunks before the first IDAT; the signature has already been checked. */
    static PngHeader parse(byte[] png) throws InvalidImageException {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(SIGNATURE_LENGTH);
        int bitDepth = -1;
        int colorType = -1;
        byte[] palette = new byte[0];
        while (in.remaining() >= 8) {
            long length = in.getInt() & 0xFFFFFFFFL;
            int type = in.getInt();
            if (length > in.remaining()) {
                break;
            }
            int start = in.position();
            if (type == chunkType("IHDR") && length >= 13) {
                bitDepth = png[start + 8] & 0xFF;
                colorType = png[start + 9] & 0xFF;
            } else if (type == chunkType("PLTE")) {
                palette = Arrays.copyOfRange(png, start, start + (int) (length - length % 3));
            } else if (type == chunkType("IDAT") || type == chunkType("IEND")) {
                break;
            }
            in.position(start + (int) length);
            if (in.remaining() < 4) {
                break;
            }
            in.getInt(); // CRC: Java's decoder is the one that reads the pixels; it reports damaged data.
        }
        if (bitDepth < 0) {
            throw new InvalidImageException(Reason.CORRUPT, "corrupt PNG image: no readable IHDR chunk");
        }
        return new PngHeader(bitDepth, colorType, palette);
    }

    /** Returns the number of PLTE entries. */
    int paletteSize() {
        return palette.length / 3;
    }

    private static int chunkType(String name) {
        return name.charAt(0) << 24 | name.charAt(1) << 16 | name.charAt(2) << 8 | name.charAt(3);
    }
}
