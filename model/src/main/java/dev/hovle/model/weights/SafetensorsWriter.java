package dev.hovle.model.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files the way the Hugging Face library does: tensors in alphabetical order, the JSON header
 * padded with spaces. The padding puts the data on a 64-byte boundary (the library pads to 8, which any reader
 * accepts too): the decode kernel's vector loads from the mapping then never straddle two cache lines (about 10%
 * more bandwidth measured on a bf16 LM head). Data is streamed, so multi-gigabyte checkpoints never sit in memory.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where tensor data starts in the file, a multiple of this: one cache line. */
    static final int DATA_ALIGNMENT = 64;

    private SafetensorsWriter() {}

    /** A tensor to write: its dtype, shape, and a producer of exactly its bytes (little-endian). */
    public record Entry(String name, TensorDtype dtype, long[] shape, TensorData data) {
        long byteLength() {
            long n = dtype.bytes();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /** Streams a tensor's little-endian bytes into a channel. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /** Writes one safetensors file; returns the bytes of tensor data written. */
    public static long write(Path file, List<Entry> entries) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::name));
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Entry e : sorted) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            var shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            long end = offset + e.byteLength();
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (8 + json.length + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT - 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(head.flip());
            for (Entry e : sorted) {
                long before = channel.position();
                e.data().writeTo(channel);
                long written = channel.position() - before;
                if (written != e.byteLength()) {
                    throw new WeightException("tensor '" + e.name() + "' wrote " + written + " bytes, expected "
                            + e.byteLength());
                }
            }
        }
        return offset;
    }

    /**
     * Writes entries into shards of at most {@code maxShardBytes} each (a tensor never splits), named
     * {@code model-0000i-of-0000n.safetensors} with a Hugging Face index; a single {@code model.safetensors} when
     * everything fits in one.
     */
    public static void writeCheckpoint(Path dir, List<Entry> entries, long maxShardBytes) throws IOException {
        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long size = 0;
        for (Entry e : entries) {
            if (!current.isEmpty() && size + e.byteLength() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(e);
            size += e.byteLength();
        }
        shards.add(current);
        if (shards.size() == 1) {
            write(dir.resolve(Checkpoint.SINGLE_FILE), current);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            total += write(dir.resolve(name), shards.get(i));
            for (Entry e : shards.get(i)) {
                weightMap.put(e.name(), name);
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index), StandardCharsets.UTF_8);
    }
}
