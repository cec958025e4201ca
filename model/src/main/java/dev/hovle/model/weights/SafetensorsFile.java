package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header, then raw little-endian
 * data. The header is validated when the file opens, so a truncated or inconsistent file fails before any tensor is
 * used, with a message naming the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
    }

    /** Opens and validates a safetensors file. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightException(path + " is truncated: " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new WeightException(path + ": header length " + headerLength + " does not fit a file of " + size
                        + " bytes (not safetensors, or truncated)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            Map<String, TensorInfo> tensors = parseHeader(path, new String(header.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            long dataBytes = size - dataStart;
            for (TensorInfo t : tensors.values()) {
                if (t.end() > dataBytes) {
                    throw new WeightException("tensor '" + t.name() + "' in " + path.getFileName() + " is truncated: it needs"
                            + " data bytes [" + t.begin() + ", " + t.end() + ") but the file holds only " + dataBytes);
                }
            }
            return new SafetensorsFile(path, channel, dataStart, tensors);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String text) throws IOException {
        JsonNode root = JSON.readTree(text);
        if (root == null || !root.isObject()) {
            throw new WeightException(path + ": safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String name = e.getKey();
            JsonNode node = e.getValue();
            TensorDtype dtype = TensorDtype.parse(node.path("dtype").asText(), name);
            JsonNode shapeNode = node.path("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            JsonNode offsets = node.path("data_offsets");
            if (offsets.size() != 2) {
                throw new WeightException("tensor '" + name + "' in " + path.getFileName() + " has no data_offsets");
            }
            TensorInfo info = new TensorInfo(name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
            long expected = Math.multiplyExact(info.elementCount(), (long) dtype.bytes());
            if (info.begin() < 0 || info.byteLength() != expected) {
                throw new WeightException("tensor '" + name + "' in " + path.getFileName() + " spans " + info.byteLength()
                        + " bytes but " + dtype + info.shapeText() + " needs " + expected);
            }
            tensors.put(name, info);
        }
        return Collections.unmodifiableMap(tensors);
    }

    /** The file's tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** A read-only little-endian view of one tensor's bytes, mapped from the file (not copied). */
    public ByteBuffer map(TensorInfo tensor) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + tensor.begin(), tensor.byteLength())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads a tensor as a DJL array of {@code dtype} (null keeps the stored type; BF16 becomes FLOAT32). */
    public NDArray read(String name, NDManager manager, DataType dtype)
            throws IOException {
        return TensorReader.read(this, require(name), manager, dtype, true, HostViews.none());
    }

    /** A floating-point tensor's values, widened to float. */
    public float[] floats(String name) throws IOException {
        TensorInfo info = require(name);
        ByteBuffer bytes = map(info);
        float[] out = new float[Math.toIntExact(info.elementCount())];
        switch (info.dtype()) {
            case F32 -> bytes.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) bytes.getDouble(i * 8);
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((bytes.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(bytes.getShort(i * 2));
                }
            }
            default -> throw new WeightException("tensor '" + name + "' is " + info.dtype() + ", not floating point");
        }
        return out;
    }

    /** An integer tensor's values. */
    public long[] longs(String name) throws IOException {
        TensorInfo info = require(name);
        ByteBuffer bytes = map(info);
        long[] out = new long[Math.toIntExact(info.elementCount())];
        switch (info.dtype()) {
            case I64 -> bytes.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = bytes.getInt(i * 4);
                }
            }
            default -> throw new WeightException("tensor '" + name + "' is " + info.dtype() + ", not an integer type");
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private TensorInfo require(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new WeightException("missing tensor '" + name + "' in " + path.getFileName());
        }
        return info;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
