package dev.hovle.model.snapshot;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.tokenizer.TokenizerFiles;
import dev.hovle.model.weights.TensorDtype;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Creates a complete, randomly initialised HoVLE snapshot that runs without any download: tokenizer files (a
 * SentencePiece model the project trains itself), {@code config.json} and safetensors in the released layout.
 */
public final class SnapshotInitializer {
    private SnapshotInitializer() {}

    /** Writes the snapshot into {@code dir} and checks that config and tokenizer agree on every special id. */
    public static HoVLEConfig create(Path dir, ModelSize size, TensorDtype dtype, PixelShuffleLocation placement,
            long seed) throws IOException {
        TokenizerFiles.write(dir, size.vocab());
        HoVLEConfig config = RandomSnapshot.write(dir, size, dtype, placement, seed);
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            require("<IMG_CONTEXT>", tokenizer.tokenId("<IMG_CONTEXT>"), config.embedding().imgContextTokenId());
            require("bos", tokenizer.bosId(), config.llm().bosTokenId());
            require("eos", tokenizer.eosId(), config.llm().eosTokenId());
            require("vocab size", tokenizer.vocabSize(), config.llm().vocabSize());
        }
        return config;
    }

    private static void require(String what, int tokenizerValue, int configValue) {
        if (tokenizerValue != configValue) {
            throw new IllegalStateException("tokenizer and config disagree on " + what + ": " + tokenizerValue + " vs "
                    + configValue);
        }
    }
}
