package dev.hovle.model.vision;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import dev.hovle.model.vision.InvalidImageException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG and WebP bytes to 8-bit RGB as Pillow 9.4's {@code Image.open(...).convert("RGB")} would,
 * refusing oversized images from their header before any pixel is decoded.
 *
 * <p>PNG and JPEG match Pillow exactly, as does lossless WebP. Lossy WebP does not: TwelveMonkeys' VP8 decoder
 * differs from libwebp (its Y/U/V planes, nearest-neighbour instead of "fancy" chroma upsampling, another YUV→RGB
 * matrix), typically by 2–3 levels on average and up to ~40 on photos.
 *
 * <p>Thread-safe: every call creates its own {@link ImageReader}.
 */
final class ImageDecoder {

    private final long pixelLimit;

    ImageDecoder(long pixelLimit) {
        this.pixelLimit = pixelLimit;
    }

    /** Decodes {@code data}, whose format is found from its magic bytes. */
    RgbPixels decode(byte[] data) throws InvalidImageException {
        ImageFormat format = ImageFormat.detect(data);
        if (format == ImageFormat.WEBP) {
            WebpContainer.checkComplete(data);
        }
        ImageReader reader = Readers.create(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            checkSize(format, reader.getWidth(0), reader.getHeight(0));
            return switch (format) {
                case PNG -> PngConversion.toRgb(reader.read(0).getRaster(), PngHeader.parse(data));
                case JPEG -> decodeJpeg(reader, data);
                case WEBP -> decodeWebp(reader.read(0));
            };
        } catch (IOException | RuntimeException e) {
            // Decoders signal damaged input with IIOException but also with unchecked exceptions from their
            // internals (index, array-size and state errors); both mean the bytes are bad.
            throw new InvalidImageException(Reason.CORRUPT, "corrupt " + format + " image: " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    private void checkSize(ImageFormat format, int width, int height) throws InvalidImageException {
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(Reason.CORRUPT,
                    "corrupt " + format + " image: header gives size " + width + "x" + height);
        }
        long pixels = (long) width * height;
        if (pixels > pixelLimit) {
            throw new InvalidImageException(Reason.TOO_LARGE, format + " image of " + width + "x" + height + " = "
                    + pixels + " pixels exceeds the limit of " + pixelLimit + " pixels (refused before decoding)");
        }
    }

    private static RgbPixels decodeJpeg(ImageReader reader, byte[] data) throws IOException, InvalidImageException {
        JpegHeader header = JpegHeader.parse(data);
        // readRaster returns libjpeg's samples before any colour conversion (and without the ICC conversion
        // that read() applies), so the conversion can follow Pillow exactly.
        Raster raster = reader.readRaster(0, null);
        if (raster.getNumBands() != header.componentIds().length) {
            throw new InvalidImageException(Reason.CORRUPT, "corrupt JPEG image: decoder returned "
                    + raster.getNumBands() + " bands for " + header.componentIds().length + " components");
        }
        return JpegConversion.toRgb(raster, header.colorSpace());
    }

    private static RgbPixels decodeWebp(BufferedImage image) throws InvalidImageException {
        // TwelveMonkeys hands out non-premultiplied RGB or RGBA bytes; alpha is dropped as Pillow's convert does.
        if (image.getRaster().getNumBands() < 3 || image.isAlphaPremultiplied()
                || image.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_RGB) {
            throw new InvalidImageException(Reason.UNSUPPORTED_FORMAT,
                    "unsupported image format: WebP decoded to an unexpected layout " + image);
        }
        return PngConversion.colour(image.getRaster(), 0);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if ((message == null || message.isBlank()) && cause != null) {
            message = cause.getMessage();
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Creates readers from fixed providers, so the choice never depends on what else is on the classpath. */
    private static final class Readers {

        private static final ImageReaderSpi WEBP = new WebPImageReaderSpi();
        private static final ImageReaderSpi JPEG = registeredJpegProvider();

        static ImageReader create(ImageFormat format) throws InvalidImageException {
            try {
                return switch (format) {
                    case PNG -> jdkPngReader();
                    case JPEG -> JPEG.createReaderInstance();
                    case WEBP -> WEBP.createReaderInstance();
                };
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a " + format + " reader", e);
            }
        }

        /**
         * TwelveMonkeys' JPEG provider wraps the JDK's and only finds it when registered, so register our own
         * instance (replacing an identical one if ImageIO's classpath scan already did) rather than relying on
         * that scan, which runs with whatever context class loader first touched ImageIO.
         */
        private static ImageReaderSpi registeredJpegProvider() {
            JPEGImageReaderSpi provider = new JPEGImageReaderSpi();
            IIORegistry.getDefaultInstance().registerServiceProvider(provider, ImageReaderSpi.class);
            return provider;
        }

        private static ImageReader jdkPngReader() {
            ImageReader first = null;
            for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("png"); it.hasNext(); ) {
                ImageReader reader = it.next();
                if (reader.getClass().getName().startsWith("com.sun.imageio.")) {
                    return reader;
                }
                first = first == null ? reader : first;
            }
            if (first == null) {
                throw new IllegalStateException("no PNG reader registered with ImageIO");
            }
            return first;
        }
    }
}
