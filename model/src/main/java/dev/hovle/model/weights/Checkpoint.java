package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a snapshot directory: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json} in the Hugging Face index format.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileByTensor;

    private Checkpoint(List<SafetensorsFile> files, Map<String, SafetensorsFile> fileByTensor) {
        this.files = files;
        this.fileByTensor = fileByTensor;
    }

    /** Opens the weights of a snapshot directory and validates every header. */
    public static Checkpoint open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openSharded(dir, index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.exists(single)) {
            throw new WeightException("no weights in " + dir + ": expected " + SINGLE_FILE + " or " + INDEX_FILE);
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> byTensor = new TreeMap<>();
        file.tensors().keySet().forEach(name -> byTensor.put(name, file));
        return new Checkpoint(List.of(file), Collections.unmodifiableMap(byTensor));
    }

    private static Checkpoint openSharded(Path dir, Path index) throws IOException {
        JsonNode weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        if (!weightMap.isObject()) {
            throw new WeightException(index + " has no weight_map object");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new TreeMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path shardPath = dir.resolve(shardName);
                    if (!Files.exists(shardPath)) {
                        throw new WeightException("shard " + shardName + " named by " + INDEX_FILE + " for tensor '"
                                + e.getKey() + "' does not exist");
                    }
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.tensors().containsKey(e.getKey())) {
                    throw new WeightException("tensor '" + e.getKey() + "' is missing from shard " + shardName
                            + " where " + INDEX_FILE + " places it");
                }
                byTensor.put(e.getKey(), shard);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : shards.values()) {
                f.close();
            }
            throw e;
        }
        return new Checkpoint(new ArrayList<>(shards.values()), Collections.unmodifiableMap(byTensor));
    }

    /** Every tensor name, sorted. */
    public Set<String> names() {
        return fileByTensor.keySet();
    }

    /** The header entry of a tensor, or an error naming it. */
    public TensorInfo info(String name) {
        return fileOf(name).tensors().get(name);
    }

    /**
     * Reads a tensor as a DJL array of {@code dtype} (null keeps the stored type; BF16 becomes FLOAT32); a writable
     * array never shares memory with the file. A read-only float32 matrix on the CPU stays the file mapping, and its
     * bytes go into {@code views} for the decode kernel.
     */
    public NDArray read(String name, NDManager manager, DataType dtype, boolean writable, HostViews views)
            throws IOException {
        return read(name, manager, dtype, writable, views, TensorReader.Placement.LIBTORCH);
    }

    NDArray read(String name, NDManager manager, DataType dtype, boolean writable, HostViews views,
            TensorReader.Placement placement) throws IOException {
        SafetensorsFile file = fileOf(name);
        return TensorReader.read(file, file.tensors().get(name), manager, dtype, writable, views, placement);
    }

    /** A tensor's raw little-endian bytes, mapped read-only from its file. */
    public ByteBuffer map(String name) throws IOException {
        SafetensorsFile file = fileOf(name);
        return file.map(file.tensors().get(name));
    }

    /** The file holding a tensor, or an error naming it. */
    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new WeightException("missing tensor '" + name + "'");
        }
        return file;
    }

    @Override
    public void close() throws IOException {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}
