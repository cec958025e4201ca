package dev.hovle.model.vision;

import java.awt.image.Raster;

/**
 * Turns the raw samples of a decoded JPEG (libjpeg's output before colour conversion) into 8-bit RGB exactly as
 * Pillow 9.4 over libjpeg-turbo does.
 *
 * <ul>
 *   <li>YCbCr: libjpeg's fixed-point YCbCr→RGB tables (16 fractional bits), clamped to 0..255; the JDK's
 *       decoder and libjpeg-turbo share the IDCT and the chroma upsampling, so only this step is ours;
 *   <li>RGB (Adobe transform 0 or 'R','G','B' ids) and greyscale: samples as stored;
 *   <li>CMYK: Pillow assumes Adobe polarity for every CMYK JPEG (raw mode "CMYK;I", inverting all four stored
 *       samples) and converts CMYK→RGB as R = (255 − C)(255 − K)/255 with its rounding divide, which on the
 *       stored samples c, k is R = c·k/255;
 *   <li>YCCK: libjpeg first turns YCC into CMY as 255 − R' (R' from the YCbCr tables) and keeps K, then Pillow
 *       continues as for CMYK, so R = (255 − R')·k/255.
 * </ul>
 * No ICC profile is applied: Pillow keeps it as metadata only.
 */
final class JpegConversion {

    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int[] CR_TO_R = new int[256];
    private static final int[] CB_TO_B = new int[256];
    private static final int[] CR_TO_G = new int[256];
    private static final int[] CB_TO_G = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_TO_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
            CB_TO_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
            CR_TO_G[i] = -fix(0.71414) * x;
            // ONE_HALF is folded into one of the two green terms so that the sum rounds.
            CB_TO_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegConversion() {}

    /** Converts a raw JPEG raster whose samples are in {@code colorSpace}. */
    static RgbPixels toRgb(Raster raster, JpegHeader.ColorSpace colorSpace) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        byte[] out = new byte[width * height * 3];
        // The decoder's raster holds bytes, so rows come out as bytes: no widening to int[] per sample.
        byte[] row = new byte[width * bands];
        int[] rgb = new int[3];
        for (int y = 0; y < height; y++) {
            raster.getDataElements(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            int o = y * width * 3;
            if (colorSpace == JpegHeader.ColorSpace.YCBCR) {
                yccRowToRgb(row, width, out, o);
            } else {
                otherRowToRgb(row, width, bands, colorSpace, rgb, out, o);
            }
        }
        return new RgbPixels(width, height, out);
    }

    /** The common case (almost every photo), in its own loop so that the JIT sees no per-pixel branch. */
    private static void yccRowToRgb(byte[] row, int width, byte[] out, int o) {
        for (int i = 0; i < width * 3; i += 3) {
            int luma = row[i] & 0xFF;
            int cb = row[i + 1] & 0xFF;
            int cr = row[i + 2] & 0xFF;
            out[o + i] = (byte) red(luma, cr);
            out[o + i + 1] = (byte) green(luma, cb, cr);
            out[o + i + 2] = (byte) blue(luma, cb);
        }
    }

    private static void otherRowToRgb(byte[] bytes, int width, int bands, JpegHeader.ColorSpace colorSpace, int[] rgb,
            byte[] out, int o) {
        for (int x = 0; x < width; x++) {
            int i = x * bands;
            int s0 = bytes[i] & 0xFF;
            switch (colorSpace) {
                case GRAYSCALE -> fill(rgb, s0, s0, s0);
                case RGB -> fill(rgb, s0, bytes[i + 1] & 0xFF, bytes[i + 2] & 0xFF);
                case YCBCR -> throw new AssertionError("converted by yccRowToRgb");
                case CMYK -> {
                    int k = bytes[i + 3] & 0xFF;
                    fill(rgb, mulDiv255(s0, k), mulDiv255(bytes[i + 1] & 0xFF, k), mulDiv255(bytes[i + 2] & 0xFF, k));
                }
                case YCCK -> {
                    yccToRgb(s0, bytes[i + 1] & 0xFF, bytes[i + 2] & 0xFF, rgb);
                    int k = bytes[i + 3] & 0xFF;
                    fill(rgb, mulDiv255(255 - rgb[0], k), mulDiv255(255 - rgb[1], k), mulDiv255(255 - rgb[2], k));
                }
            }
            out[o++] = (byte) rgb[0];
            out[o++] = (byte) rgb[1];
            out[o++] = (byte) rgb[2];
        }
    }

    private static void yccToRgb(int luma, int cb, int cr, int[] rgb) {
        fill(rgb, red(luma, cr), green(luma, cb, cr), blue(luma, cb));
    }

    private static int red(int luma, int cr) {
        return clamp(luma + CR_TO_R[cr]);
    }

    private static int green(int luma, int cb, int cr) {
        return clamp(luma + ((CB_TO_G[cb] + CR_TO_G[cr]) >> SCALE_BITS));
    }

    private static int blue(int luma, int cb) {
        return clamp(luma + CB_TO_B[cb]);
    }

    /** Pillow's rounding a·b/255 for 8-bit a and b. */
    static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int fix(double x) {
        return (int) (x * (1 << SCALE_BITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static void fill(int[] rgb, int r, int g, int b) {
        rgb[0] = r;
        rgb[1] = g;
        rgb[2] = b;
    }
}
