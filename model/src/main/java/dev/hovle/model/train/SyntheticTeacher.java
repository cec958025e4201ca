package dev.hovle.model.train;

import java.util.SplittableRandom;

/**
 * A stand-in teacher for distillation without a pre-trained vision encoder: a fixed, seeded random linear map of
 * each image token's pixel block (the 2×2 patches its pixel shuffle merges, after normalisation) to C features.
 * Being a function of the pixels, the holistic module can learn to reproduce it; being random, it starts
 * uncorrelated with the module's outputs. Only the {@code pre} placement's token layout is supported.
 */
public final class SyntheticTeacher implements TeacherTargets {
    private final int width;
    private final int block;
    private final float[] projection; // (C, 3·block·block)

    /**
     * @param width the model width C
     * @param patchSize pixels per patch side (14)
     * @param shuffleFactor patches per token side (2)
     * @param seed the projection's seed
     */
    public SyntheticTeacher(int width, int patchSize, int shuffleFactor, long seed) {
        this.width = width;
        this.block = patchSize * shuffleFactor;
        int fanIn = 3 * block * block;
        this.projection = new float[width * fanIn];
        SplittableRandom random = new SplittableRandom(seed);
        double scale = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < projection.length; i++) {
            projection[i] = (float) ((2 * random.nextDouble() - 1) * Math.sqrt(3) * scale);
        }
    }

    @Override
    public float[] imageTargets(EncodedSample sample) {
        int size = sample.tileSize();
        int perSide = size / block;
        int tokens = sample.tiles() * perSide * perSide;
        float[] out = new float[tokens * width];
        float[] pixels = sample.pixels();
        float[] patch = new float[3 * block * block];
        int token = 0;
        for (int tile = 0; tile < sample.tiles(); tile++) {
            for (int i = 0; i < perSide; i++) {
                for (int j = 0; j < perSide; j++) {
                    int k = 0;
                    for (int c = 0; c < 3; c++) {
                        int plane = (tile * 3 + c) * size * size;
                        for (int y = i * block; y < (i + 1) * block; y++) {
                            System.arraycopy(pixels, plane + y * size + j * block, patch, k, block);
                            k += block;
                        }
                    }
                    project(patch, out, token++ * width);
                }
            }
        }
        return out;
    }

    private void project(float[] patch, float[] out, int offset) {
        for (int o = 0; o < width; o++) {
            double sum = 0;
            int row = o * patch.length;
            for (int k = 0; k < patch.length; k++) {
                sum += projection[row + k] * patch[k];
            }
            out[offset + o] = (float) sum;
        }
    }
}
