package dev.hovle.model.vision;

/**
 * torchvision's {@code ToTensor()} + {@code Normalize(IMAGENET_MEAN, IMAGENET_STD)} in float32: every value is
 * {@code (u / 255f − mean_c) / std_c}, each operation rounded to float as PyTorch rounds it.
 */
final class ImageNetNormalization {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    /** The 256 possible outputs per channel, computed once with exactly the per-element float32 operations. */
    private static final float[][] TABLE = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) {
            for (int u = 0; u < 256; u++) {
                float scaled = u / 255f;
                TABLE[c][u] = (scaled - MEAN[c]) / STD[c];
            }
        }
    }

    private ImageNetNormalization() {}

    /** Writes the CHW planes of {@code tile} into {@code out} starting at {@code offset}. */
    static void normalize(RgbPixels tile, float[] out, int offset) {
        byte[] rgb = tile.data();
        int plane = tile.width() * tile.height();
        // One plane at a time: one output stream per loop and the channel's table held in a local.
        for (int c = 0; c < 3; c++) {
            float[] table = TABLE[c];
            int o = offset + c * plane;
            for (int p = 0, i = c; p < plane; p++, i += 3) {
                out[o + p] = table[rgb[i] & 0xFF];
            }
        }
    }
}
