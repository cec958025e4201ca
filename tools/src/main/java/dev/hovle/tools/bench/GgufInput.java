package dev.hovle.tools.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Little-endian reads of a GGUF header that know where they are and how much file is left, so a truncated or
 * garbage file fails with a message instead of an allocation of whatever size its bytes happen to spell.
 */
final class GgufInput implements Closeable {
    private final InputStream in;
    private final long size;
    private final Path file;
    private long position;

    GgufInput(Path file) throws IOException {
        this.file = file;
        this.size = Files.size(file);
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    int u32() throws IOException {
        return (int) fixed(4);
    }

    /** An unsigned 64-bit count or size; one beyond a signed long is corrupt for any real file. */
    long u64(String what) throws IOException {
        long v = fixed(8);
        if (v < 0) {
            throw corrupt(what + " is " + Long.toUnsignedString(v));
        }
        return v;
    }

    /** The raw little-endian bits of a 1-, 2-, 4- or 8-byte value, not sign-extended. */
    long fixed(int width) throws IOException {
        byte[] b = bytes(width);
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    String string(String what) throws IOException {
        long length = u64(what + " length");
        requireRemaining(length, what);
        if (length > 1 << 30) {
            throw corrupt(what + " claims " + length + " bytes");
        }
        return new String(bytes((int) length), StandardCharsets.UTF_8);
    }

    void skip(long n, String what) throws IOException {
        requireRemaining(n, what);
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                throw truncated(what);
            }
            left -= skipped;
        }
        position += n;
    }

    /** Fails unless {@code n} more bytes exist (a count read from a garbage file can be anything). */
    void requireRemaining(long n, String what) throws GgufException {
        if (n > remaining()) {
            throw truncated(what + " (" + n + " bytes at offset " + position + ", " + remaining() + " left)");
        }
    }

    GgufException corrupt(String what) {
        return new GgufException(file + ": corrupt GGUF header at offset " + position + ": " + what);
    }

    GgufException truncated(String what) {
        return new GgufException(file + ": truncated GGUF file: it ends inside " + what);
    }

    private byte[] bytes(int n) throws IOException {
        requireRemaining(n, n + "-byte field");
        byte[] b = new byte[n];
        if (in.readNBytes(b, 0, n) < n) {
            throw truncated(n + "-byte field"); // the file shrank while being read
        }
        position += n;
        return b;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
