package dev.hovle.model.vision;

/**
 * torchvision's {@code ToTensor()} + {@code Normalize(IMAGENET_MEAN, IMAGENET_STD)} in float32: every value is
 * {@code (u / 255f − mean_c) / std_c}, each operation rounded to float as PyTorch rounds it.
 */
final class ImageNetNormalization {

    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

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
        int plane = tile.width() * tile.height();
        int done = VECTOR ? VectorImageNetNormalization.normalize(tile.data(), plane, out, offset) : 0;
        scalar(tile.data(), plane, out, offset, done);
    }

    /** The table lookup for pixels {@code from} … plane − 1: the reference, and the vector kernel's tail. */
    static void scalar(byte[] rgb, int plane, float[] out, int offset, int from) {
        // One plane at a time: one output stream per loop and the channel's table held in a local.
        for (int c = 0; c < 3; c++) {
            float[] table = TABLE[c];
            int o = offset + c * plane;
            for (int p = from, i = 3 * from + c; p < plane; p++, i += 3) {
                out[o + p] = table[rgb[i] & 0xFF];
            }
        }
    }
}
