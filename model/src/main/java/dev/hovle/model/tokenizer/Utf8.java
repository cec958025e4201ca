package dev.hovle.model.tokenizer;

/** Lenient UTF-8 decoding with SentencePiece's rule: every byte that does not start a valid sequence is U+FFFD. */
final class Utf8 {

    private Utf8() {
    }

    /** Appends the text of {@code bytes[0, length)} to {@code out}. */
    static void decode(byte[] bytes, int length, StringBuilder out) {
        int i = 0;
        while (i < length) {
            int lead = bytes[i] & 0xFF;
            int size = lead < 0x80 ? 1 : lead < 0xC2 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 0;
            int cp = size == 1 ? lead : size == 2 ? lead & 0x1F : size == 3 ? lead & 0x0F : lead & 0x07;
            boolean valid = size > 0 && i + size <= length;
            for (int k = 1; valid && k < size; k++) {
                int b = bytes[i + k] & 0xFF;
                valid = (b & 0xC0) == 0x80;
                cp = (cp << 6) | (b & 0x3F);
            }
            // Overlong forms, surrogates and code points past U+10FFFF are invalid too.
            valid = valid && !(size == 3 && cp < 0x800) && !(size == 4 && (cp < 0x10000 || cp > 0x10FFFF))
                    && !(cp >= 0xD800 && cp <= 0xDFFF);
            if (valid) {
                out.appendCodePoint(cp);
                i += size;
            } else {
                out.append('\uFFFD');
                i++;
            }
        }
    }
}
