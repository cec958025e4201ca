package dev.hovle.model.vision;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Pillow's 8-bit bicubic resize ({@code Image.resize(size, Image.BICUBIC)} on an RGB image), reproduced bit for bit.
 *
 * <p>The resize is separable: a horizontal pass (only when the width changes) produces an 8-bit intermediate, and
 * a vertical pass (only when the height changes) reads that. Along one axis with {@code scale = in / out}, output
 * sample {@code o} is a weighted sum of the input samples around {@code centre = (o + 0.5) · scale}; when shrinking,
 * the Keys cubic (a = −0.5) is stretched by the scale, so every input pixel contributes (antialiasing). Weights are
 * normalised to sum 1 in double precision, then stored as 22-bit fixed point; sums are integer. The floating-point
 * expressions keep Pillow's order of operations, since a different rounding of one weight can move a pixel by one
 * level.
 */
final class BicubicResampler {

    private static final int PRECISION_BITS = RowFilter.PRECISION_BITS;
    /** Rows per band of the horizontal pass: long enough rows for the vector kernel, small enough for the cache. */
    private static final int BAND = 64;
    private static final double SUPPORT = 2.0;
    /** Unaligned 4-byte access to byte arrays: moves an RGB pixel (plus one byte that is overwritten later). */
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private BicubicResampler() {}

    /** Resizes {@code image} to {@code width × height}; an unchanged size returns the same pixels. */
    static RgbPixels resize(RgbPixels image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        RgbPixels out = image;
        if (width != image.width()) {
            out = horizontal(out, Weights.of(image.width(), width));
        }
        if (height != image.height()) {
            out = vertical(out, Weights.of(image.height(), height));
        }
        return out;
    }

    /**
     * Filters along x. The rows are handled in bands of {@link #BAND}: a band is transposed (each image column
     * becomes a short row), filtered with the vertical pass's {@link RowFilter} and transposed back, so that one
     * vectorised kernel serves both passes while the extra buffers stay a few bands' size.
     */
    private static RgbPixels horizontal(RgbPixels in, Weights w) {
        int outWidth = w.first.length;
        int band = Math.min(BAND, in.height());
        byte[] columns = new byte[in.width() * band * 3];
        byte[] filtered = new byte[outWidth * band * 3];
        byte[] dst = new byte[outWidth * in.height() * 3];
        for (int top = 0; top < in.height(); top += band) {
            int rows = Math.min(band, in.height() - top);
            transpose(in.data(), in.width(), top, rows, columns, band, true);
            RowFilter.apply(columns, band * 3, rows * 3, w, filtered, band * 3);
            transpose(dst, outWidth, top, rows, filtered, band, false);
        }
        return new RgbPixels(outWidth, in.height(), dst);
    }

    private static RgbPixels vertical(RgbPixels in, Weights w) {
        int rowBytes = in.width() * 3;
        byte[] dst = new byte[rowBytes * w.first.length];
        RowFilter.apply(in.data(), rowBytes, rowBytes, w, dst, rowBytes);
        return new RgbPixels(in.width(), w.first.length, dst);
    }

    /**
     * Copies pixels between rows {@code top … top + rows − 1} of an image {@code width} pixels wide and a band where
     * pixel (x, top + r) sits at {@code (x · band + r) · 3}: into the band when {@code toBand}, else out of it.
     *
     * <p>Column by column, so the band side is read or written sequentially, and a pixel moves as one 4-byte word:
     * the fourth byte lands on a pixel that is written later (the next row of the band column, or the next pixel of
     * the image row), except at the last column, which moves byte by byte.
     */
    private static void transpose(byte[] image, int width, int top, int rows, byte[] bandBytes, int band,
            boolean toBand) {
        for (int x = 0; x < width; x++) {
            boolean wordSafe = x < width - 1;
            for (int r = 0, p = (top * width + x) * 3, q = x * band * 3; r < rows; r++, p += width * 3, q += 3) {
                if (toBand) {
                    movePixel(image, p, bandBytes, q, wordSafe);
                } else {
                    movePixel(bandBytes, q, image, p, wordSafe);
                }
            }
        }
    }

    private static void movePixel(byte[] from, int i, byte[] to, int j, boolean asWord) {
        if (asWord) {
            WORD.set(to, j, (int) WORD.get(from, i));
        } else {
            to[j] = from[i];
            to[j + 1] = from[i + 1];
            to[j + 2] = from[i + 2];
        }
    }

    /** The Keys cubic convolution kernel with a = −0.5, in Pillow's evaluation order. */
    static double keys(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /**
     * Fixed-point filter taps for one axis: output {@code o} reads {@code count[o]} inputs starting at
     * {@code first[o]}, with weights {@code fixed[o * stride + t]}.
     */
    record Weights(int[] first, int[] count, int[] fixed, int stride) {

        static Weights of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] fixed = new int[outSize * stride];
            double[] taps = new double[stride];
            for (int o = 0; o < outSize; o++) {
                double centre = (o + 0.5) * scale;
                double inverseScale = 1.0 / filterScale;
                // (int) truncates toward zero as C does; only then is the window clamped to the image.
                int min = Math.max((int) (centre - support + 0.5), 0);
                int max = Math.min((int) (centre + support + 0.5), inSize);
                int n = max - min;
                double sum = 0.0;
                for (int t = 0; t < n; t++) {
                    taps[t] = keys((t + min - centre + 0.5) * inverseScale);
                    sum += taps[t];
                }
                for (int t = 0; t < n; t++) {
                    double normalised = sum != 0.0 ? taps[t] / sum : taps[t];
                    // Round half away from zero into 22 fractional bits.
                    fixed[o * stride + t] = normalised < 0
                            ? (int) (-0.5 + normalised * (1 << PRECISION_BITS))
                            : (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                first[o] = min;
                count[o] = n;
            }
            return new Weights(first, count, fixed, stride);
        }
    }
}
