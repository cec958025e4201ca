package dev.hovle.model.vision;

import java.util.Arrays;

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

    /** Fractional bits of the fixed-point weights: 32 − 8 (sample) − 2 (headroom for negative lobes). */
    private static final int PRECISION_BITS = 22;
    private static final double SUPPORT = 2.0;

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

    private static RgbPixels horizontal(RgbPixels in, Weights w) {
        int outWidth = w.first.length;
        byte[] src = in.data();
        byte[] dst = new byte[outWidth * in.height() * 3];
        for (int y = 0; y < in.height(); y++) {
            int rowIn = y * in.width() * 3;
            int rowOut = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++) {
                int k = x * w.stride;
                int s = rowIn + w.first[x] * 3;
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int t = 0; t < w.count[x]; t++, s += 3) {
                    int c = w.fixed[k + t];
                    r += (src[s] & 0xFF) * c;
                    g += (src[s + 1] & 0xFF) * c;
                    b += (src[s + 2] & 0xFF) * c;
                }
                int o = rowOut + x * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return new RgbPixels(outWidth, in.height(), dst);
    }

    private static RgbPixels vertical(RgbPixels in, Weights w) {
        int outHeight = w.first.length;
        int rowBytes = in.width() * 3;
        byte[] src = in.data();
        byte[] dst = new byte[rowBytes * outHeight];
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int k = y * w.stride;
            // Row-wise accumulation: the same integer sums as Pillow's per-pixel loop, in a cache-friendly order.
            for (int t = 0; t < w.count[y]; t++) {
                int c = w.fixed[k + t];
                int s = (w.first[y] + t) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (src[s + i] & 0xFF) * c;
                }
            }
            int o = y * rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                dst[o + i] = clip8(acc[i]);
            }
        }
        return new RgbPixels(in.width(), outHeight, dst);
    }

    /** Drops the fraction of a fixed-point sum and clamps it to 0..255. */
    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
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
    private record Weights(int[] first, int[] count, int[] fixed, int stride) {

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
