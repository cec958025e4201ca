package dev.hovle.testkit;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Encoded images built to hurt a decoder, for the tests and {@code hovle run --hostile-every}: headers that declare huge
 * pictures, and data that is no image at all.
 */
public final class HostileImages {
    private HostileImages() {}

    /** A valid PNG whose header (with a correct CRC) declares {@code width x height} pixels. */
    public static byte[] pngDeclaring(int width, int height) {
        byte[] png = SyntheticImages.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png");
        ByteBuffer header = ByteBuffer.wrap(png).order(ByteOrder.BIG_ENDIAN);
        header.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // chunk type and data of IHDR
        header.putInt(29, (int) crc.getValue());
        return png;
    }

    /** A valid baseline JPEG whose frame header declares {@code width x height} pixels (each at most 65535). */
    public static byte[] jpegDeclaring(int width, int height) {
        byte[] jpeg = SyntheticImages.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg");
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(jpeg).order(ByteOrder.BIG_ENDIAN).putShort(i + 5, (short) height)
                        .putShort(i + 7, (short) width);
                return jpeg;
            }
        }
        throw new IllegalStateException("the JDK's JPEG writer wrote no SOF0 marker");
    }

    /** A lossless WebP whose header declares {@code width x height} pixels (each at most 16384), then noise. */
    public static byte[] webpDeclaring(int width, int height) {
        byte[] noise = new byte[64];
        new Random(width).nextBytes(noise);
        int vp8lLength = 5 + noise.length;
        ByteBuffer webp = ByteBuffer.allocate(20 + vp8lLength).order(ByteOrder.LITTLE_ENDIAN);
        webp.put(ascii("RIFF")).putInt(12 + vp8lLength).put(ascii("WEBP")).put(ascii("VP8L")).putInt(vp8lLength);
        webp.put((byte) 0x2F).putInt((width - 1) | ((height - 1) << 14)); // alpha unused, version 0
        webp.put(noise);
        return webp.array();
    }

    /** A GIF, a format the model does not take. */
    public static byte[] gif() {
        return SyntheticImages.encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED), "gif");
    }

    /** {@code length} random bytes that do not start like a single-object Avro message. */
    public static byte[] noise(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        if (length > 0 && (bytes[0] & 0xFF) == 0xC3) {
            bytes[0] = 0;
        }
        return bytes;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
