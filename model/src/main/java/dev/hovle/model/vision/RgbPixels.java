package dev.hovle.model.vision;

/**
 * Package-internal 8-bit RGB buffer (interleaved R, G, B, row by row) passed between the pipeline stages without
 * copying.
 *
 * <p>Unlike {@link RgbImage} it does not copy its array: whoever creates one hands the array over and never writes
 * to it again. This keeps a decoded image at its raw size in memory once, not twice.
 */
record RgbPixels(int width, int height, byte[] data) {

    RgbPixels {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image must be at least 1x1, got " + width + "x" + height);
        }
        if (data.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "expected " + (long) width * height * 3 + " RGB bytes for " + width + "x" + height
                            + ", got " + data.length);
        }
    }

    /** Copies the {@code size}×{@code size} square whose top-left corner is ({@code left}, {@code top}). */
    RgbPixels crop(int left, int top, int size) {
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            System.arraycopy(data, ((top + y) * width + left) * 3, out, y * size * 3, size * 3);
        }
        return new RgbPixels(size, size, out);
    }
}
