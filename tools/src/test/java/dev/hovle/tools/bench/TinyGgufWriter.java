package dev.hovle.tools.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small GGUF v3 files byte by byte, as the specification lays them out, for the reader's tests. */
final class TinyGgufWriter {
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private final List<byte[]> infos = new ArrayList<>();
    private int kvCount;
    private long dataBytes;

    TinyGgufWriter string(String key, String value) {
        kvCount++;
        putString(kv, key);
        putU32(kv, 8);
        putString(kv, value);
        return this;
    }

    TinyGgufWriter u32(String key, int value) {
        kvCount++;
        putString(kv, key);
        putU32(kv, 4);
        putU32(kv, value);
        return this;
    }

    TinyGgufWriter f32(String key, float value) {
        kvCount++;
        putString(kv, key);
        putU32(kv, 6);
        putU32(kv, Float.floatToIntBits(value));
        return this;
    }

    TinyGgufWriter stringArray(String key, String... values) {
        kvCount++;
        putString(kv, key);
        putU32(kv, 9);
        putU32(kv, 8);
        putU64(kv, values.length);
        for (String v : values) {
            putString(kv, v);
        }
        return this;
    }

    TinyGgufWriter i32Array(String key, int... values) {
        kvCount++;
        putString(kv, key);
        putU32(kv, 9);
        putU32(kv, 5);
        putU64(kv, values.length);
        for (int v : values) {
            putU32(kv, v);
        }
        return this;
    }

    /** A tensor of GGML type {@code typeId} whose data takes {@code bytes} (32-aligned, as llama.cpp places it). */
    TinyGgufWriter tensor(String name, int typeId, long bytes, long... dims) {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        putString(info, name);
        putU32(info, dims.length);
        for (long d : dims) {
            putU64(info, d);
        }
        putU32(info, typeId);
        putU64(info, dataBytes);
        infos.add(info.toByteArray());
        dataBytes += (bytes + 31) / 32 * 32;
        return this;
    }

    /** The whole file: header, padding to 32, then zeroed tensor data. */
    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        putU32(out, 3);
        putU64(out, infos.size());
        putU64(out, kvCount);
        out.writeBytes(kv.toByteArray());
        infos.forEach(out::writeBytes);
        while (out.size() % 32 != 0) {
            out.write(0);
        }
        out.writeBytes(new byte[Math.toIntExact(dataBytes)]);
        return out.toByteArray();
    }

    private static void putString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putU64(out, b.length);
        out.writeBytes(b);
    }

    static void putU32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    static void putU64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
