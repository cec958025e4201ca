package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hovle.model.vision.InvalidImageException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Refusals: every bad input ends as an {@link InvalidImageException} whose reason and message say what was wrong. */
class InvalidImageTest {

    private static final ImagePreprocessor PREPROCESSOR = ImagePreprocessor.builder().setTileSize(448).build();

    @ParameterizedTest(name = "{0}")
    @CsvSource({"unsupported.gif, GIF", "unsupported.bmp, BMP", "unsupported.tiff, TIFF"})
    void refusesOtherFormatsAsUnsupportedNamingThem(String file, String format) {
        InvalidImageException e = refusal(Fixtures.resource(file));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("unsupported image format").contains(format);
    }

    @Test
    void refusesGarbageAndEmptyInputAsUnsupported() {
        InvalidImageException garbage = refusal("hello, not an image".getBytes(StandardCharsets.US_ASCII));
        InvalidImageException empty = refusal(new byte[0]);

        assertThat(garbage.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(garbage.getMessage()).contains("unrecognised data (19 bytes)").doesNotContain("0x")
                .doesNotContain("hello");
        assertThat(empty.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(empty.getMessage()).contains("empty input");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"l8.png", "ycc420.jpg", "progressive.jpg", "lossy.webp", "lossless.webp"})
    void refusesTruncatedDataAsCorrupt(String file) {
        byte[] whole = Fixtures.resource(file);
        String format = file.endsWith("png") ? "PNG" : file.endsWith("jpg") ? "JPEG" : "WEBP";

        InvalidImageException e = refusal(Arrays.copyOf(whole, whole.length * 2 / 3));

        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
        assertThat(e.getMessage()).startsWith("corrupt " + format + " image");
    }

    @Test
    void refusesJpegMissingOnlyItsEndMarkerLikePillow() {
        // Pillow: "image file is truncated" as soon as libjpeg does not reach EOI, even with every scan complete.
        byte[] jpeg = Fixtures.resource("ycc420.jpg");

        InvalidImageException e = refusal(Arrays.copyOf(jpeg, jpeg.length - 2));

        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
        assertThat(e.getMessage()).contains("truncated");
    }

    @Test
    void acceptsJunkAfterTheEndOfAJpegLikePillow() throws InvalidImageException {
        byte[] jpeg = Fixtures.resource("ycc420.jpg");
        byte[] withJunk = Arrays.copyOf(jpeg, jpeg.length + 8);

        assertThat(PREPROCESSOR.decode(withJunk)).isEqualTo(PREPROCESSOR.decode(jpeg));
    }

    @Test
    void refusesMagicFollowedByGarbageAsCorrupt() {
        byte[] png = Arrays.copyOf(Fixtures.resource("l8.png"), 40);
        Arrays.fill(png, 8, 40, (byte) 0x5A);
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7};

        assertThat(refusal(png).reason()).isEqualTo(Reason.CORRUPT);
        assertThat(refusal(jpeg).reason()).isEqualTo(Reason.CORRUPT);
        assertThat(refusal(jpeg).getMessage()).startsWith("corrupt JPEG image");
    }

    @Test
    void refusesPngWhoseHeaderClaimsTooManyPixelsBeforeDecoding() {
        // 100000 x 100000 in IHDR, followed by the small image's IDAT: decoding would fail (or exhaust memory),
        // so TOO_LARGE proves the header check came first.
        byte[] bomb = withPngSize(Fixtures.resource("l8.png"), 100_000, 100_000);

        InvalidImageException e = refusal(bomb);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("100000x100000").contains("10000000000 pixels")
                .contains("limit of 89478485 pixels");
    }

    @Test
    void refusesJpegWhoseFrameClaimsTooManyPixels() {
        byte[] jpeg = Fixtures.resource("ycc420.jpg");
        int sof = indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0});
        // SOF0: length(2) precision(1) height(2) width(2)
        jpeg[sof + 5] = (byte) 0xFF;
        jpeg[sof + 6] = (byte) 0xF0;
        jpeg[sof + 7] = (byte) 0xFF;
        jpeg[sof + 8] = (byte) 0xF0;

        InvalidImageException e = refusal(jpeg);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("65520x65520");
    }

    @Test
    void refusesWebpWhoseCanvasClaimsTooManyPixels() {
        byte[] webp = Fixtures.resource("lossy_alpha.webp");
        assertThat(new String(webp, 12, 4, StandardCharsets.US_ASCII)).isEqualTo("VP8X");
        // VP8X payload: flags(4) then canvas width-1 and height-1 as 24-bit little-endian.
        writeUInt24(webp, 24, 16383 - 1);
        writeUInt24(webp, 27, 16383 - 1);

        InvalidImageException e = refusal(webp);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("16383x16383");
    }

    @Test
    void appliesAConfiguredPixelLimit() throws InvalidImageException {
        byte[] png = Fixtures.resource("l8.png"); // 45 x 31 = 1395 pixels
        ImagePreprocessor strict = ImagePreprocessor.builder().setTileSize(448).optPixelLimit(1394).build();
        ImagePreprocessor exact = ImagePreprocessor.builder().setTileSize(448).optPixelLimit(1395).build();

        InvalidImageException e = catchThrowableOfType(InvalidImageException.class, () -> strict.decode(png));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("45x31 = 1395 pixels exceeds the limit of 1394 pixels");
        assertThat(exact.decode(png).width()).isEqualTo(45);
    }

    @Test
    void refusesJpegVariantsPillowCannotReadAsUnsupported() {
        byte[] twelveBit = Fixtures.resource("gray.jpg");
        int sof = indexOf(twelveBit, new byte[] {(byte) 0xFF, (byte) 0xC0});
        twelveBit[sof + 4] = 12;
        byte[] lossless = Fixtures.resource("gray.jpg");
        lossless[sof + 1] = (byte) 0xC3;

        assertThat(refusal(twelveBit).reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(refusal(twelveBit).getMessage()).contains("12-bit JPEG");
        assertThat(refusal(lossless).getMessage()).contains("lossless JPEG (SOF3)");
    }

    private static InvalidImageException refusal(byte[] data) {
        InvalidImageException e =
                catchThrowableOfType(InvalidImageException.class, () -> PREPROCESSOR.preprocess(data));
        assertThat(e).as("expected an InvalidImageException").isNotNull();
        return e;
    }

    private static byte[] withPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer ihdr = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        ihdr.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17); // chunk type + 13 data bytes
        ihdr.putInt(29, (int) crc.getValue());
        return out;
    }

    private static void writeUInt24(byte[] data, int offset, int value) {
        data[offset] = (byte) value;
        data[offset + 1] = (byte) (value >> 8);
        data[offset + 2] = (byte) (value >> 16);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
