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
        for (int p = 0; p < plane; p++) {
            out[offset + p] = TABLE[0][rgb[3 * p] & 0xFF];
            out[offset + plane + p] = TABLE[1][rgb[3 * p + 1] & 0xFF];
            out[offset + 2 * plane + p] = TABLE[2][rgb[3 * p + 2] & 0xFF];
        }
    }
}
