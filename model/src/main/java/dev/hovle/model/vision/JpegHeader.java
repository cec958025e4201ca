package dev.hovle.model.vision;

import dev.hovle.model.vision.InvalidImageException.Reason;

/**
 * The markers of a JPEG that decide how its samples become RGB: the frame (SOF) and the JFIF and Adobe (APP14)
 * markers, read straight from the bytes up to the first scan.
 *
 * @param sofMarker the SOF marker byte (0xC0 baseline, 0xC1 extended, 0xC2 progressive, …)
 * @param precision sample precision in bits
 * @param componentIds the frame's component identifiers, in frame order
 * @param sawJfif whether an APP0 "JFIF" marker was seen
 * @param adobeTransform the APP14 "Adobe" transform flag, or -1 when there is no such marker
 * @param hasEndOfImage whether an EOI marker follows the first scan
 */
record JpegHeader(
        int sofMarker, int precision, int[] componentIds, boolean sawJfif, int adobeTransform, boolean hasEndOfImage) {

    /** The colour spaces libjpeg can report for the stored samples. */
    enum ColorSpace { GRAYSCALE, RGB, YCBCR, CMYK, YCCK }

    private static final int JFIF_MIN_LENGTH = 14;
    private static final int ADOBE_MIN_LENGTH = 12;

    /** Parses markers from SOI up to SOS; refuses the JPEG variants that Pillow 9.4 cannot open either. */
    static JpegHeader parse(byte[] jpeg) throws InvalidImageException {
        int pos = 2;
        int sof = -1;
        int precision = 0;
        int[] ids = new int[0];
        boolean jfif = false;
        int adobe = -1;
        while (true) {
            // Like libjpeg, skip junk and fill bytes up to the next marker.
            while (pos < jpeg.length && (jpeg[pos] & 0xFF) != 0xFF) {
                pos++;
            }
            while (pos < jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos + 2 >= jpeg.length) {
                throw corrupt("the data ends before the first scan");
            }
            int marker = jpeg[pos++] & 0xFF;
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length field
            }
            if (marker == 0xD9) {
                throw corrupt("end-of-image marker before any scan");
            }
            int length = (jpeg[pos] & 0xFF) << 8 | (jpeg[pos + 1] & 0xFF);
            int data = pos + 2;
            int dataLength = length - 2;
            if (length < 2 || data + dataLength > jpeg.length) {
                throw corrupt("marker 0x" + Integer.toHexString(marker) + " runs past the end of the data");
            }
            if (marker == 0xDA) {
                break;
            } else if (marker == 0xE0 && dataLength >= JFIF_MIN_LENGTH && startsWith(jpeg, data, "JFIF\0")) {
                jfif = true;
            } else if (marker == 0xEE && dataLength >= ADOBE_MIN_LENGTH && startsWith(jpeg, data, "Adobe")) {
                adobe = jpeg[data + 11] & 0xFF;
            } else if (isStartOfFrame(marker) && sof < 0 && dataLength >= 6) {
                sof = marker;
                precision = jpeg[data] & 0xFF;
                int count = jpeg[data + 5] & 0xFF;
                if (dataLength < 6 + 3 * count) {
                    throw corrupt("frame header too short for " + count + " components");
                }
                ids = new int[count];
                for (int c = 0; c < count; c++) {
                    ids[c] = jpeg[data + 6 + 3 * c] & 0xFF;
                }
            }
            pos = data + dataLength;
        }
        if (sof < 0) {
            throw corrupt("no frame header (SOF) before the first scan");
        }
        JpegHeader header = new JpegHeader(sof, precision, ids, jfif, adobe, hasEndOfImage(jpeg, pos));
        header.checkSupported();
        return header;
    }

    /**
     * Returns the colour space of the stored samples, by libjpeg-turbo's rule (the library behind Pillow): with 3
     * components a JFIF marker means YCbCr, else the Adobe transform decides (0 RGB, otherwise YCbCr), else the
     * component ids (1,2,3 YCbCr; 'R','G','B' RGB; anything else YCbCr); with 4 components the Adobe transform
     * decides (0 CMYK, otherwise YCCK) and no Adobe marker means CMYK.
     */
    ColorSpace colorSpace() {
        if (componentIds.length == 1) {
            return ColorSpace.GRAYSCALE;
        }
        if (componentIds.length == 4) {
            return adobeTransform < 0 || adobeTransform == 0 ? ColorSpace.CMYK : ColorSpace.YCCK;
        }
        if (sawJfif) {
            return ColorSpace.YCBCR;
        }
        if (adobeTransform >= 0) {
            return adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
        }
        boolean rgbIds = componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B';
        return rgbIds ? ColorSpace.RGB : ColorSpace.YCBCR;
    }

    private void checkSupported() throws InvalidImageException {
        // Lossless frames (SOF3, 7, 11, 15): libjpeg-turbo 2.1 under Pillow 9.4 refuses them.
        if ((sofMarker & 0x03) == 0x03) {
            throw unsupported("lossless JPEG (SOF" + (sofMarker - 0xC0) + ")");
        }
        // Arithmetic coding (SOF9+): libjpeg-turbo reads it, but the JDK's libjpeg 6b under ImageIO does not.
        if (sofMarker >= 0xC9) {
            throw unsupported("arithmetic-coded JPEG (SOF" + (sofMarker - 0xC0) + ")");
        }
        if (precision != 8) {
            throw unsupported(precision + "-bit JPEG (Pillow reads 8-bit samples only)");
        }
        if (componentIds.length != 1 && componentIds.length != 3 && componentIds.length != 4) {
            throw unsupported("JPEG with " + componentIds.length + " components");
        }
        if (!hasEndOfImage) {
            throw corrupt("truncated, the data ends before the end-of-image marker");
        }
    }

    /**
     * Pillow fails with "image file is truncated" whenever the data ends before libjpeg reaches EOI, while the JDK's
     * decoder pads such data and only warns. Entropy-coded data never contains 0xFFD9 (0xFF is stuffed), so an EOI
     * anywhere after the first scan header is what libjpeg will reach; junk after it is ignored by both.
     */
    private static boolean hasEndOfImage(byte[] jpeg, int from) {
        for (int i = from; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean startsWith(byte[] data, int offset, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (data[offset + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static InvalidImageException corrupt(String what) {
        return new InvalidImageException(Reason.CORRUPT, "corrupt JPEG image: " + what);
    }

    private static InvalidImageException unsupported(String what) {
        return new InvalidImageException(Reason.UNSUPPORTED_FORMAT, "unsupported image format: " + what);
    }
}
