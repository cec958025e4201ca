package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The resampler alone against Pillow's {@code Image.resize(size, BICUBIC)} on a 45x31 RGB image. */
class BicubicResamplerTest {

    private static final RgbImage SOURCE = Fixtures.readRgbPng(Fixtures.resource("resize_src.png"));

    @ParameterizedTest(name = "45x31 -> {0}x{1}")
    @CsvSource({
        "20, 50", // shrink width, grow height
        "100, 7", // grow width, shrink height a lot
        "45, 90", // height only: no horizontal pass
        "13, 31", // width only: no vertical pass
        "1, 1",
        "64, 64",
        "7, 200",
    })
    void reproducesPillowBicubicBitForBit(int width, int height) {
        RgbImage expected = Fixtures.readRgbPng(Fixtures.resource("resize_to_" + width + "x" + height + ".png"));

        RgbImage actual = new RgbImage(BicubicResampler.resize(SOURCE.pixels(), width, height));

        assertThat(actual).as(Fixtures.difference(actual, expected)).isEqualTo(expected);
    }

    @Test
    void returnsTheSamePixelsWhenTheSizeIsUnchanged() {
        RgbPixels pixels = SOURCE.pixels();

        assertThat(BicubicResampler.resize(pixels, 45, 31)).isSameAs(pixels);
    }

    @Test
    void keysKernelHasItsDefiningValues() {
        assertThat(BicubicResampler.keys(0.0)).isEqualTo(1.0);
        assertThat(BicubicResampler.keys(1.0)).isEqualTo(0.0);
        assertThat(BicubicResampler.keys(2.0)).isEqualTo(0.0);
        assertThat(BicubicResampler.keys(0.5)).isEqualTo(0.5625);
        assertThat(BicubicResampler.keys(-1.5)).isEqualTo(-0.0625);
    }
}
