package dev.hovle.model.vision;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * An immutable 8-bit RGB image: {@code width × height} pixels stored as interleaved R, G, B bytes, row by row.
 *
 * <p>The public constructor and {@link #rgb()} copy the array, so an instance can be shared freely between threads.
 * (A class rather than a record so that the pipeline can hand over arrays it will never touch again without a
 * copy: a record's every constructor runs the copying canonical one.)
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] rgb;

    /**
     * Copies an image.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param rgb {@code width * height * 3} bytes, R G B of pixel (0,0), then (1,0), …
     */
    public RgbImage(int width, int height, byte[] rgb) {
        this(new RgbPixels(width, height, Objects.requireNonNull(rgb, "rgb").clone()));
    }

    /** Takes over pipeline pixels, whose array nobody writes to again. */
    RgbImage(RgbPixels pixels) {
        this.width = pixels.width();
        this.height = pixels.height();
        this.rgb = pixels.data();
    }

    /** Returns the width in pixels. */
    public int width() {
        return width;
    }

    /** Returns the height in pixels. */
    public int height() {
        return height;
    }

    /** Returns a copy of the interleaved RGB bytes. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** Returns channel {@code channel} (0 = R, 1 = G, 2 = B) of pixel ({@code x}, {@code y}) as 0..255. */
    public int sample(int x, int y, int channel) {
        if (x < 0 || x >= width || y < 0 || y >= height || channel < 0 || channel > 2) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ", " + channel + ") outside " + this);
        }
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** Returns a read-only view for the pipeline; callers must not write to its array. */
    RgbPixels pixels() {
        return new RgbPixels(width, height, rgb);
    }

    /** Writes the image as an 8-bit RGB PNG to {@code out} (the stream is left open). */
    public void writePng(OutputStream out) throws IOException {
        if (!ImageIO.write(toBufferedImage(), "png", out)) {
            throw new IOException("no PNG writer registered with ImageIO");
        }
    }

    /** Writes the image as an 8-bit RGB PNG file, replacing {@code file} if it exists. */
    public void writePng(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writePng(out);
        }
    }

    /** Returns the image encoded as an 8-bit RGB PNG. */
    public byte[] toPng() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writePng(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing a PNG to memory failed", e);
        }
        return out.toByteArray();
    }

    private BufferedImage toBufferedImage() {
        // Wraps the array without copying; the PNG writer only reads it.
        WritableRaster raster = Raster.createInterleavedRaster(
                new DataBufferByte(rgb, rgb.length), width, height, width * 3, 3, new int[] {0, 1, 2}, null);
        ComponentColorModel colorModel = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(colorModel, raster, false, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && width == other.width && height == other.height && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
