package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Vector API kernel against the scalar reference it replaces, on random bytes (the tests run with the module). */
class RowFilterTest {

    @ParameterizedTest(name = "{0} rows -> {1}, {2} bytes per row")
    @CsvSource({
        "300, 2240, 2688", // upscale, as a 120x300 image to a 2x5 grid
        "477, 448, 2160", // mild downscale: wider windows
        "4000, 448, 37", // strong downscale, a row shorter than five vectors plus a tail
        "31, 7, 5", // rows shorter than one vector: all tail
        "5, 900, 192", // upscale of a short column band
    })
    void vectorKernelEqualsTheScalarReference(int inRows, int outRows, int length) {
        Random random = new Random(inRows * 31L + outRows);
        int stride = length + 3; // padding between rows must never be read into the sums
        byte[] src = new byte[inRows * stride];
        random.nextBytes(src);
        BicubicResampler.Weights weights = BicubicResampler.Weights.of(inRows, outRows);
        byte[] vector = new byte[outRows * stride];
        byte[] scalar = new byte[outRows * stride];

        VectorRowFilter.apply(src, stride, length, weights, vector, stride);
        RowFilter.scalar(src, stride, length, weights, scalar, stride, 0);

        assertThat(vector).isEqualTo(scalar);
    }
}
