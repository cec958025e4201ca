package dev.hovle.model.vision;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ImageNetNormalization} on the Vector API, bit for bit: the same float32 division, subtraction and division
 * per value, done on the interleaved bytes of L pixels (3 vectors of L bytes, so lane channels repeat with period 3)
 * and then shuffled into the three planes. Loaded only when the JVM has {@code jdk.incubator.vector}.
 */
final class VectorImageNetNormalization {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.withShape(FLOATS.vectorShape())
            .check(int.class);
    private static final VectorSpecies<Byte> BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FLOATS.length() * Byte.SIZE));
    private static final int L = FLOATS.length();

    /** Per part j of a block (bytes j·L … j·L + L − 1): the mean and std of each lane's channel. */
    private static final FloatVector[] MEAN = new FloatVector[3];
    private static final FloatVector[] STD = new FloatVector[3];
    /** Per channel c: where pixel q's sample sits in its part, and which lanes come from parts 1 and 2. */
    private static final VectorShuffle<Float>[] SHUFFLE = newShuffles();
    private static final VectorMask<Float>[] FROM_PART_1 = newMasks();
    private static final VectorMask<Float>[] FROM_PART_2 = newMasks();

    static {
        for (int j = 0; j < 3; j++) {
            float[] mean = new float[L];
            float[] std = new float[L];
            for (int i = 0; i < L; i++) {
                mean[i] = ImageNetNormalization.MEAN[(j * L + i) % 3];
                std[i] = ImageNetNormalization.STD[(j * L + i) % 3];
            }
            MEAN[j] = FloatVector.fromArray(FLOATS, mean, 0);
            STD[j] = FloatVector.fromArray(FLOATS, std, 0);
        }
        for (int c = 0; c < 3; c++) {
            int[] lanes = new int[L];
            boolean[] part1 = new boolean[L];
            boolean[] part2 = new boolean[L];
            for (int q = 0; q < L; q++) {
                int index = 3 * q + c;
                lanes[q] = index % L;
                part1[q] = index / L == 1;
                part2[q] = index / L == 2;
            }
            SHUFFLE[c] = VectorShuffle.fromArray(FLOATS, lanes, 0);
            FROM_PART_1[c] = VectorMask.fromArray(FLOATS, part1, 0);
            FROM_PART_2[c] = VectorMask.fromArray(FLOATS, part2, 0);
        }
    }

    private VectorImageNetNormalization() {}

    /** Normalises pixels 0 … n − 1 of {@code rgb} with n the largest multiple of L that fits; returns n. */
    static int normalize(byte[] rgb, int plane, float[] out, int offset) {
        int end = plane - plane % L;
        // Locals, not an array of vectors: an array would make the JIT box every vector.
        FloatVector mean0 = MEAN[0], mean1 = MEAN[1], mean2 = MEAN[2];
        FloatVector std0 = STD[0], std1 = STD[1], std2 = STD[2];
        for (int p = 0; p < end; p += L) {
            FloatVector part0 = normalized(rgb, 3 * p, mean0, std0);
            FloatVector part1 = normalized(rgb, 3 * p + L, mean1, std1);
            FloatVector part2 = normalized(rgb, 3 * p + 2 * L, mean2, std2);
            for (int c = 0; c < 3; c++) {
                VectorShuffle<Float> shuffle = SHUFFLE[c];
                part0.rearrange(shuffle)
                        .blend(part1.rearrange(shuffle), FROM_PART_1[c])
                        .blend(part2.rearrange(shuffle), FROM_PART_2[c])
                        .intoArray(out, offset + c * plane + p);
            }
        }
        return end;
    }

    /** (u / 255f − mean) / std for the L bytes at {@code index}, each operation in float32 as the scalar path. */
    private static FloatVector normalized(byte[] rgb, int index, FloatVector mean, FloatVector std) {
        IntVector bytes = (IntVector) ByteVector.fromArray(BYTES, rgb, index).convertShape(VectorOperators.B2I, INTS, 0);
        FloatVector scaled = ((FloatVector) bytes.and(0xFF).convertShape(VectorOperators.I2F, FLOATS, 0)).div(255f);
        return scaled.sub(mean).div(std);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] newShuffles() {
        return new VectorShuffle[3];
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] newMasks() {
        return new VectorMask[3];
    }
}
