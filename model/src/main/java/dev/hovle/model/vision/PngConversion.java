package dev.hovle.model.vision;

import dev.hovle.model.vision.InvalidImageException.Reason;
import java.awt.image.Raster;

/**
 * Turns the raw samples of a decoded PNG (or WebP) raster into 8-bit RGB exactly as Pillow 9.4's
 * {@code Image.open(...).convert("RGB")} does.
 *
 * <p>Only raw raster samples are read, never Java's colour models: those would apply the iCCP/gAMA colour
 * management that Pillow ignores. The rules, per IHDR layout (each checked against Pillow in
 * {@code PillowConversionTest}):
 * <ul>
 *   <li>grey 1/2/4-bit: Pillow unpacks to mode L scaled to 0..255 (×255, ×85, ×17), then copies it to R, G, B;
 *   <li>grey 8-bit, grey+alpha (alpha dropped), RGB, RGBA (alpha dropped, not composited): samples as stored;
 *   <li>grey 16-bit: Pillow opens it as mode I (32-bit integers), and I→RGB clamps to 0..255, so every value
 *       from 255 up becomes white. This holds with a tRNS chunk too (Java then adds an alpha band);
 *   <li>grey+alpha, RGB and RGBA 16-bit: Pillow unpacks with the "…;16B" raw modes, which keep the high byte
 *       (v >> 8, no rounding);
 *   <li>palette: plain lookup, transparency ignored; an index past the PLTE entries gives grey (i, i, i), the
 *       entry Pillow's palette holds there by default.
 * </ul>
 */
final class PngConversion {

    private PngConversion() {}

    /** Converts a decoded PNG raster laid out as {@code header} says. */
    static RgbPixels toRgb(Raster raster, PngHeader header) throws InvalidImageException {
        int depth = header.bitDepth();
        return switch (header.colorType()) {
            case PngHeader.GRAY -> depth == 16 ? gray(raster, PngConversion::clampTo8Bit)
                    : gray(raster, v -> v * 255 / ((1 << depth) - 1));
            case PngHeader.GRAY_ALPHA -> gray(raster, depth == 16 ? v -> v >> 8 : v -> v);
            case PngHeader.RGB, PngHeader.RGBA -> colour(raster, depth == 16 ? 8 : 0);
            case PngHeader.PALETTE -> palette(raster, header);
            default -> throw new InvalidImageException(Reason.CORRUPT,
                    "corrupt PNG image: invalid colour type " + header.colorType());
        };
    }

    /** Copies bands 0..2 of an 8-bit (shift 0) or 16-bit (shift 8: high byte) colour raster; alpha is ignored. */
    static RgbPixels colour(Raster raster, int shift) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        byte[] out = new byte[width * height * 3];
        int[] row = new int[width * bands];
        for (int y = 0; y < height; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            int o = y * width * 3;
            for (int x = 0; x < width; x++) {
                int i = x * bands;
                out[o++] = (byte) (row[i] >> shift);
                out[o++] = (byte) (row[i + 1] >> shift);
                out[o++] = (byte) (row[i + 2] >> shift);
            }
        }
        return new RgbPixels(width, height, out);
    }

    private static RgbPixels gray(Raster raster, SampleMap map) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        byte[] out = new byte[width * height * 3];
        int[] row = new int[width * bands];
        for (int y = 0; y < height; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            int o = y * width * 3;
            for (int x = 0; x < width; x++) {
                byte v = (byte) map.apply(row[x * bands]);
                out[o++] = v;
                out[o++] = v;
                out[o++] = v;
            }
        }
        return new RgbPixels(width, height, out);
    }

    private static RgbPixels palette(Raster raster, PngHeader header) {
        int[] lookup = new int[256];
        byte[] plte = header.palette();
        for (int i = 0; i < 256; i++) {
            lookup[i] = i < header.paletteSize()
                    ? (plte[3 * i] & 0xFF) << 16 | (plte[3 * i + 1] & 0xFF) << 8 | (plte[3 * i + 2] & 0xFF)
                    : i << 16 | i << 8 | i;
        }
        int width = raster.getWidth();
        int height = raster.getHeight();
        byte[] out = new byte[width * height * 3];
        int[] row = new int[width * raster.getNumBands()];
        for (int y = 0; y < height; y++) {
            // On a palette image Java's raster holds the indices themselves (packed for 1/2/4-bit).
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            int o = y * width * 3;
            for (int x = 0; x < width; x++) {
                int rgb = lookup[row[x * raster.getNumBands()] & 0xFF];
                out[o++] = (byte) (rgb >> 16);
                out[o++] = (byte) (rgb >> 8);
                out[o++] = (byte) rgb;
            }
        }
        return new RgbPixels(width, height, out);
    }

    private static int clampTo8Bit(int v) {
        return Math.min(v, 255);
    }

    @FunctionalInterface
    private interface SampleMap {
        int apply(int sample);
    }
}
