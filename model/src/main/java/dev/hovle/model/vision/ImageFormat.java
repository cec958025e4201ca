package dev.hovle.model.vision;

import dev.hovle.model.vision.InvalidImageException.Reason;
import java.nio.charset.StandardCharsets;

/** The encoded formats the preprocessor decodes, recognised by their magic bytes (never by a file name). */
enum ImageFormat {
    PNG,
    JPEG,
    WEBP;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Returns the format of {@code data}, or refuses it as {@link Reason#UNSUPPORTED_FORMAT} naming what it saw. */
    static ImageFormat detect(byte[] data) throws InvalidImageException {
        if (startsWith(data, 0, PNG_SIGNATURE)) {
            return PNG;
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (startsWith(data, 0, ascii("RIFF")) && startsWith(data, 8, ascii("WEBP"))) {
            return WEBP;
        }
        throw new InvalidImageException(Reason.UNSUPPORTED_FORMAT,
                "unsupported image format: " + describeOther(data) + "; expected PNG, JPEG or WebP");
    }

    /**
     * Names the commonest other formats so that dead letters say what was actually sent, by kind only: no bytes of
     * the data are echoed.
     */
    private static String describeOther(byte[] data) {
        if (data.length == 0) {
            return "empty input";
        }
        if (startsWith(data, 0, ascii("GIF87a")) || startsWith(data, 0, ascii("GIF89a"))) {
            return "GIF";
        }
        if (startsWith(data, 0, ascii("BM"))) {
            return "BMP";
        }
        if (startsWith(data, 0, ascii("II*\0")) || startsWith(data, 0, ascii("MM\0*"))) {
            return "TIFF";
        }
        if (startsWith(data, 0, new byte[] {0, 0, 1, 0})) {
            return "ICO";
        }
        if (startsWith(data, 0, ascii("8BPS"))) {
            return "PSD";
        }
        if (startsWith(data, 4, ascii("ftyp"))) {
            return "ISO media (HEIF/AVIF/MP4)";
        }
        if (startsWith(data, 0, ascii("RIFF"))) {
            return "a RIFF container other than WebP";
        }
        if (startsWith(data, 0, new byte[] {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '})) {
            return "JPEG 2000";
        }
        if (startsWith(data, 0, ascii("%PDF"))) {
            return "PDF";
        }
        // Only the size: a message may reach a dead-letter topic, and the bytes may come from a file nobody sent.
        return "unrecognised data (" + data.length + " bytes)";
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        if (data.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
