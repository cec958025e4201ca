package dev.hovle.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a GGUF file (llama.cpp's model format), read from the format specification: magic, version, counts,
 * typed metadata and tensor infos. Only what a bandwidth comparison needs is kept: scalar metadata (arrays such as
 * the vocabulary are skipped) and every tensor's name, shape, type and offset.
 *
 * @param version format version (2 or 3)
 * @param metadata scalar metadata values by key (strings, numbers, booleans)
 * @param tensors tensor infos in file order
 */
public record GgufFile(int version, Map<String, Object> metadata, List<GgufTensor> tensors) {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int MAX_DIMS = 4; // GGML_MAX_DIMS
    private static final int DEFAULT_ALIGNMENT = 32;
    private static final int MIN_KV_BYTES = 8 + 4 + 1; // empty key, type, a one-byte value
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8; // empty name, one dim, type, offset
    /** Where llama.cpp's converters put the token table and the output head. */
    static final String TOKEN_TABLE = "token_embd.weight";
    static final String OUTPUT_HEAD = "output.weight";

    public GgufFile {
        metadata = Collections.unmodifiableMap(metadata);
        tensors = List.copyOf(tensors);
    }

    /** Reads and validates the header of {@code file}, including that every float tensor's data lies inside it. */
    public static GgufFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new GgufException("no GGUF file at " + file);
        }
        try (GgufInput in = new GgufInput(file)) {
            if (in.size() < 4 || in.u32() != MAGIC) {
                throw new GgufException(file + " is not a GGUF file (it does not start with the magic \"GGUF\")");
            }
            int version = in.u32();
            if (version != 2 && version != 3) {
                throw new GgufException(file + ": GGUF version " + version + " is not supported (2 and 3 are)");
            }
            long tensorCount = in.u64("tensor count");
            long kvCount = in.u64("metadata count");
            if (kvCount > in.remaining() / MIN_KV_BYTES || tensorCount > in.remaining() / MIN_TENSOR_INFO_BYTES) {
                throw new GgufException(file + ": truncated or corrupt GGUF file: its header claims " + tensorCount
                        + " tensors and " + kvCount + " metadata entries, more than " + in.size() + " bytes can hold");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = in.string("metadata key");
                Object value = GgufMetadata.readValue(in, key);
                if (value != null) {
                    metadata.put(key, value);
                }
            }
            List<GgufTensor> tensors = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                tensors.add(readTensorInfo(in));
            }
            long alignment = alignment(in, metadata);
            long dataStart = (in.position() + alignment - 1) / alignment * alignment;
            GgufFile gguf = new GgufFile(version, metadata, tensors);
            gguf.requireDataInside(file, in.size() - dataStart);
            return gguf;
        }
    }

    private static GgufTensor readTensorInfo(GgufInput in) throws IOException {
        String name = in.string("tensor name");
        int dimCount = in.u32();
        if (dimCount < 1 || dimCount > MAX_DIMS) {
            throw in.corrupt("tensor '" + name + "' has " + Integer.toUnsignedString(dimCount) + " dimensions");
        }
        long[] dims = new long[dimCount];
        for (int d = 0; d < dimCount; d++) {
            dims[d] = in.u64("dimension of tensor '" + name + "'");
        }
        GgufType type = GgufType.ofId(in.u32());
        return new GgufTensor(name, dims, type, in.u64("offset of tensor '" + name + "'"));
    }

    private static long alignment(GgufInput in, Map<String, Object> metadata) throws GgufException {
        Object value = metadata.getOrDefault("general.alignment", DEFAULT_ALIGNMENT);
        if (!(value instanceof Number n) || n.longValue() <= 0 || Long.bitCount(n.longValue()) != 1) {
            throw in.corrupt("general.alignment is " + value + ", not a power of two");
        }
        return n.longValue();
    }

    /** A header copied without its data, or a file cut short, claims data past the end: say so now. */
    private void requireDataInside(Path file, long dataBytes) throws GgufException {
        for (GgufTensor t : tensors) {
            if (t.type().isPlainFloat() && t.offset() + t.byteSize() > dataBytes) {
                throw new GgufException(file + ": truncated GGUF file: tensor '" + t.name() + "' ends at byte "
                        + (t.offset() + t.byteSize()) + " of a data section of " + Math.max(0, dataBytes));
            }
        }
    }

    /** The tensor of this name, or null. */
    public GgufTensor tensor(String name) {
        for (GgufTensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Bytes of weights one batch-1 decode step reads: every tensor in full, except the token table, of which one row
     * is read (when the model ties its head to the table, there is no {@code output.weight} and the head reads the
     * table in full). Refuses quantized files: their blocks carry scales, so "bytes per weight" is not one number.
     */
    public long decodeStepBytes() throws GgufException {
        boolean tiedHead = tensor(OUTPUT_HEAD) == null;
        long bytes = 0;
        for (GgufTensor t : tensors) {
            if (t.name().equals(TOKEN_TABLE)) {
                bytes += t.rowBytes() + (tiedHead ? t.byteSize() : 0);
            } else {
                bytes += t.byteSize();
            }
        }
        return bytes;
    }

    /** The distinct tensor types, e.g. "F32" or "BF16, F32", for the report. */
    public String typeSummary() {
        return String.join(", ", tensors.stream().map(t -> t.type().name()).distinct().sorted().toList());
    }
}
