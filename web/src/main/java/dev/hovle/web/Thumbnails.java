package dev.hovle.web;

import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.vision.RgbImage;

/**
 * Small PNG previews of the stream's images for the page. The bytes are untrusted: they are decoded with the
 * pipeline's own decoder (PNG, JPEG, WebP only, the pixel count checked from the header before any pixel is
 * decoded) and re-encoded, so whatever a producer put in the record, the browser only ever receives a PNG made here.
 */
final class Thumbnails {
    /** The longest side of a preview, in pixels. */
    static final int SIDE = 192;
    /** Larger images are not previewed: decoding them would cost more than a page deserves. */
    private static final long PIXEL_LIMIT = 40_000_000L;

    private final ImagePreprocessor decoder = ImagePreprocessor.builder().setTileSize(SIDE)
            .optPixelLimit(PIXEL_LIMIT).build();

    /** The preview of {@code encoded} as PNG bytes. */
    byte[] previewPng(byte[] encoded) throws InvalidImageException {
        RgbImage image = decoder.decode(encoded);
        return shrink(image, SIDE).toPng();
    }

    /** {@code image} with its longest side at most {@code side}, each output pixel the mean of the area it covers. */
    static RgbImage shrink(RgbImage image, int side) {
        int w = image.width();
        int h = image.height();
        double scale = Math.min(1.0, (double) side / Math.max(w, h));
        int outW = Math.max(1, (int) Math.round(w * scale));
        int outH = Math.max(1, (int) Math.round(h * scale));
        if (outW == w && outH == h) {
            return image;
        }
        byte[] in = image.rgb();
        byte[] out = new byte[outW * outH * 3];
        for (int oy = 0; oy < outH; oy++) {
            int y0 = (int) ((long) oy * h / outH);
            int y1 = Math.max(y0 + 1, (int) ((long) (oy + 1) * h / outH));
            for (int ox = 0; ox < outW; ox++) {
                int x0 = (int) ((long) ox * w / outW);
                int x1 = Math.max(x0 + 1, (int) ((long) (ox + 1) * w / outW));
                long r = 0;
                long g = 0;
                long b = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int i = (y * w + x) * 3;
                        r += in[i] & 0xFF;
                        g += in[i + 1] & 0xFF;
                        b += in[i + 2] & 0xFF;
                    }
                }
                long n = (long) (y1 - y0) * (x1 - x0);
                int o = (oy * outW + ox) * 3;
                out[o] = (byte) ((r + n / 2) / n);
                out[o + 1] = (byte) ((g + n / 2) / n);
                out[o + 2] = (byte) ((b + n / 2) / n);
            }
        }
        return new RgbImage(outW, outH, out);
    }
}
