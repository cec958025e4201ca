package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding + RGB conversion against Pillow 9.4's {@code Image.open(f).convert("RGB")} (fixtures: vision/README.md). */
class PillowConversionTest {

    private static final ImagePreprocessor PREPROCESSOR = ImagePreprocessor.builder().setTileSize(448).build();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "l8.png", // L: grey copied to R, G, B
        "la8.png", // LA: alpha dropped
        "l1.png", // mode 1: 0 / 255
        "l2.png", // 2-bit grey: x85
        "l16.png", // 16-bit grey: Pillow mode I, clamped to 255
        "l16_trns.png", // 16-bit grey + tRNS: still clamped, although Java adds an alpha band
        "la16.png", // 16-bit grey+alpha: high byte
        "rgb16.png", // 16-bit RGB: high byte
        "rgb16_trns.png",
        "rgba16.png",
        "rgba8.png", // RGBA: alpha dropped, not composited
        "p8.png", // palette lookup
        "p8_trns.png", // palette with per-entry alpha: still a plain lookup
        "p8_trns_one.png", // palette with one transparent index
        "p4.png", // 4-bit palette
        "p4_short_plte.png", // indices past PLTE: grey (i, i, i) as in Pillow's default palette
        "l8_trns.png",
        "rgb8_trns.png",
        "rgb8_icc_gamma.png", // gAMA + iCCP ignored, as Pillow ignores them
        "l8_icc_gamma.png",
    })
    void convertsPngLikePillow(String name) throws InvalidImageException {
        assertMatchesPillow(name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "ycc420.jpg", // baseline, 4:2:0 chroma (libjpeg fancy upsampling)
        "ycc422.jpg",
        "ycc444.jpg",
        "ycc440.jpg", // vertical-only chroma subsampling (written by the JDK's JPEG writer)
        "ycc411.jpg", // 4:1:1 (likewise)
        "progressive.jpg",
        "gray.jpg",
        "icc.jpg", // embedded non-sRGB profile: not applied
        "cmyk.jpg", // Adobe CMYK (inverted), Pillow's CMYK -> RGB
        "ycck.jpg", // Adobe YCCK
        "cmyk_noadobe.jpg", // 4 components without an Adobe marker: Pillow still assumes Adobe polarity
    })
    void convertsJpegLikePillow(String name) throws InvalidImageException {
        assertMatchesPillow(name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lossless.webp", "lossless_alpha.webp"})
    void convertsLosslessWebpLikePillow(String name) throws InvalidImageException {
        assertMatchesPillow(name);
    }

    /**
     * Lossy WebP is the one known gap: TwelveMonkeys' VP8 decoder neither reproduces libwebp's Y/U/V planes nor its
     * fancy chroma upsampling and YUV->RGB matrix, so pixels differ from Pillow (measured: mean 2-3 levels, max
     * 30-40 on photos; mean 13, max 92 on this synthetic worst case of hard colour edges). The bound only catches
     * regressions; an exact path needs a libwebp-exact VP8 decoder.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lossy.webp", "lossy_alpha.webp"})
    void decodesLossyWebpWithTwelveMonkeysKnownDeviation(String name) throws InvalidImageException {
        RgbImage actual = PREPROCESSOR.decode(Fixtures.resource(name));
        RgbImage expected = pillowOutput(name);
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(Fixtures.meanAbsoluteDifference(actual, expected)).isLessThan(16.0);
    }

    private static void assertMatchesPillow(String name) throws InvalidImageException {
        RgbImage actual = PREPROCESSOR.decode(Fixtures.resource(name));
        RgbImage expected = pillowOutput(name);
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(actual).as(name + ": " + Fixtures.difference(actual, expected)).isEqualTo(expected);
    }

    private static RgbImage pillowOutput(String input) {
        return Fixtures.readRgbPng(Fixtures.resource(input.replaceAll("\\.\\w+$", ".expected.png")));
    }
}
