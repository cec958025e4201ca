package dev.hovle.model.snapshot;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.weights.SafetensorsWriter;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.model.weights.WeightLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a randomly initialised HoVLE model in the released layout: {@code config.json} plus safetensors (sharded
 * past {@link #DEFAULT_SHARD_BYTES}). Token ids follow the released vocabulary's layout: the chat tokens end the
 * SentencePiece range and the nine InternVL tokens close the vocabulary, {@code <IMG_CONTEXT>} third among them.
 */
public final class RandomSnapshot {
    /** Shard size of written checkpoints: the released model uses about 5 GB shards; smaller keeps mmap cheap. */
    public static final long DEFAULT_SHARD_BYTES = 2L << 30;

    private RandomSnapshot() {}

    /** The special-token ids of a vocabulary of {@code vocab} entries laid out as HoVLE's. */
    static ConfigJson.TokenIds tokenIds(int vocab) {
        int internVlStart = vocab - 9; // <img> </img> <IMG_CONTEXT> <quad> </quad> <ref> </ref> <box> </box>
        return new ConfigJson.TokenIds(1, 2, 2, internVlStart + 2);
    }

    /** Writes config and weights for {@code size} into {@code dir}; returns the parsed config. */
    public static HoVLEConfig write(Path dir, ModelSize size, TensorDtype dtype, PixelShuffleLocation placement,
            long seed) throws IOException {
        if (dtype != TensorDtype.F32 && dtype != TensorDtype.BF16) {
            throw new IllegalArgumentException("snapshots are written as F32 or BF16, not " + dtype);
        }
        Files.createDirectories(dir);
        String json = ConfigJson.write(size, tokenIds(size.vocab()), placement, dtype == TensorDtype.F32 ? "float32"
                : "bfloat16");
        HoVLEConfig config = HoVLEConfig.parse(json);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (WeightLoader.TensorSpec spec : WeightLoader.layout(config)) {
            entries.add(RandomWeights.entry(spec, dtype, seed));
        }
        SafetensorsWriter.writeCheckpoint(dir, entries, DEFAULT_SHARD_BYTES);
        Files.writeString(dir.resolve(HoVLEConfig.FILE_NAME), json, StandardCharsets.UTF_8);
        return config;
    }
}
