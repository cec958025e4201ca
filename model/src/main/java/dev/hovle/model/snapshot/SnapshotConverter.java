package dev.hovle.model.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.weights.Bfloat16;
import dev.hovle.model.weights.Checkpoint;
import dev.hovle.model.weights.SafetensorsWriter;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.model.weights.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a snapshot's floating-point weights in another dtype: float32 to bfloat16 (round to nearest even, as
 * PyTorch's {@code .to(torch.bfloat16)}) or back (exact). Integer tensors, the tokenizer and every other file are
 * copied as they are; {@code config.json} gets the new {@code torch_dtype}. Weights are streamed tensor by tensor
 * from the mapping, so a 10 GB checkpoint never sits in memory.
 */
public final class SnapshotConverter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_ELEMENTS = 1 << 16;

    private SnapshotConverter() {}

    /** What a conversion did. */
    public record Result(int tensorsConverted, int tensorsCopied, long bytesBefore, long bytesAfter, List<String> filesCopied) {}

    /**
     * Writes {@code source} with its floating-point weights in {@code target} (F32 or BF16) to {@code out}, which
     * must not exist or be an empty directory.
     */
    public static Result convert(Path source, Path out, TensorDtype target) throws IOException {
        if (target != TensorDtype.F32 && target != TensorDtype.BF16) {
            throw new IllegalArgumentException("snapshots convert to F32 or BF16, not " + target);
        }
        HoVLEConfig.read(source); // a HoVLE snapshot, or a clear error before anything is written
        if (Files.exists(out) && (!Files.isDirectory(out) || hasEntries(out))) {
            throw new IllegalArgumentException("output " + out + " must not exist or be an empty directory");
        }
        Files.createDirectories(out);
        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            int converted = 0;
            long before = 0;
            long after = 0;
            for (String name : checkpoint.names()) {
                TensorInfo info = checkpoint.info(name);
                TensorDtype to = switch (info.dtype()) {
                    case F32, BF16 -> target;
                    case F16, F64 -> throw new IllegalArgumentException("tensor '" + name + "' is " + info.dtype()
                            + ": only F32 and BF16 weights convert");
                    default -> info.dtype(); // ids, masks: not weights
                };
                if (to != info.dtype()) {
                    converted++;
                }
                before += info.byteLength();
                after += info.elementCount() * to.bytes();
                entries.add(new SafetensorsWriter.Entry(name, to, info.shape(),
                        channel -> write(checkpoint.map(name), info.dtype(), to, channel)));
            }
            SafetensorsWriter.writeCheckpoint(out, entries, RandomSnapshot.DEFAULT_SHARD_BYTES);
            List<String> copied = copyOtherFiles(source, out, target);
            return new Result(converted, entries.size() - converted, before, after, copied);
        }
    }

    private static void write(ByteBuffer from, TensorDtype dtype, TensorDtype to, WritableByteChannel channel)
            throws IOException {
        ByteBuffer in = from.order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == to) {
            while (in.hasRemaining()) {
                channel.write(in);
            }
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * to.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        long count = in.capacity() / dtype.bytes();
        for (long start = 0; start < count; start += CHUNK_ELEMENTS) {
            int n = (int) Math.min(CHUNK_ELEMENTS, count - start);
            chunk.clear();
            for (int i = 0; i < n; i++) {
                int at = (int) (start + i);
                if (to == TensorDtype.BF16) {
                    chunk.putShort(Bfloat16.fromFloat(in.getFloat(at * 4)));
                } else {
                    chunk.putFloat(Bfloat16.toFloat(in.getShort(at * 2)));
                }
            }
            chunk.flip();
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        }
    }

    /** Every file but the weights, config.json with the new torch_dtype; returns the names copied. */
    private static List<String> copyOtherFiles(Path source, Path out, TensorDtype target) throws IOException {
        List<String> copied = new ArrayList<>();
        try (var files = Files.list(source)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                boolean weights = name.startsWith("model") && name.endsWith(".safetensors") || name.equals(Checkpoint.INDEX_FILE);
                if (weights || !Files.isRegularFile(f)) {
                    continue;
                }
                if (name.equals(HoVLEConfig.FILE_NAME)) {
                    Files.writeString(out.resolve(name), withTorchDtype(Files.readString(f), target),
                            StandardCharsets.UTF_8);
                } else {
                    Files.copy(f, out.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                }
                copied.add(name);
            }
        }
        return copied;
    }

    /** config.json with {@code torch_dtype} set at the top and in each sub-config that names one. */
    static String withTorchDtype(String json, TensorDtype target) throws IOException {
        String name = target == TensorDtype.BF16 ? "bfloat16" : "float32";
        ObjectNode root = (ObjectNode) JSON.readTree(json);
        root.put("torch_dtype", name);
        for (JsonNode sub : root) {
            if (sub instanceof ObjectNode node && node.has("torch_dtype")) {
                node.put("torch_dtype", name);
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
