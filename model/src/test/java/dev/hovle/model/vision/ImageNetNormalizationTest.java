package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Vector API normalisation against the scalar table lookup, bit for bit, tails included. */
class ImageNetNormalizationTest {

    @ParameterizedTest(name = "{0} pixels")
    @ValueSource(ints = {448 * 448, 56 * 56, 1001, 7, 1})
    void vectorKernelEqualsTheScalarReference(int pixels) {
        byte[] rgb = new byte[pixels * 3];
        new Random(pixels).nextBytes(rgb);
        int offset = 5; // the tile's planes need not start at the array's beginning
        float[] vector = new float[offset + 3 * pixels];
        float[] scalar = new float[offset + 3 * pixels];

        int done = VectorImageNetNormalization.normalize(rgb, pixels, vector, offset);
        ImageNetNormalization.scalar(rgb, pixels, vector, offset, done);
        ImageNetNormalization.scalar(rgb, pixels, scalar, offset, 0);

        assertThat(vector).isEqualTo(scalar);
    }
}
