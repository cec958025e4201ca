package dev.hovle.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A HoVLE snapshot's {@code config.json} (the InternVL-chat layout), parsed into immutable types.
 *
 * <p>Unknown keys are ignored; a missing required key is an error naming its full path
 * ({@code embedding_config.rope_theta}). Nothing that the file carries has a default here.
 *
 * @param llm the InternLM2 language model ({@code llm_config})
 * @param embedding the holistic embedding module ({@code embedding_config})
 * @param template name of the chat template ({@code template}, e.g. {@code internlm2-chat})
 * @param imageSize tile side the preprocessing produces ({@code force_image_size}, else the module's image_size)
 * @param minDynamicPatch fewest tiles of the dynamic grid
 * @param maxDynamicPatch most tiles of the dynamic grid
 * @param useThumbnail whether a multi-tile image also gets a whole-image thumbnail tile
 * @param normalizeEncoderOutput whether the module output is L2-normalised before the LLM
 * @param json the file's text, written back beside every checkpoint the project saves
 */
public record HoVLEConfig(
        LlmConfig llm,
        EmbeddingConfig embedding,
        String template,
        int imageSize,
        int minDynamicPatch,
        int maxDynamicPatch,
        boolean useThumbnail,
        boolean normalizeEncoderOutput,
        String json) {

    public static final String FILE_NAME = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public HoVLEConfig {
        if (embedding.transformer().hiddenSize() != llm.transformer().hiddenSize()) {
            throw new ConfigException("embedding_config.hidden_size " + embedding.transformer().hiddenSize()
                    + " differs from llm_config.hidden_size " + llm.transformer().hiddenSize()
                    + ": the holistic module's outputs are the LLM's inputs");
        }
        if (embedding.vocabSize() != llm.vocabSize()) {
            throw new ConfigException("embedding_config.llm_vocab_size " + embedding.vocabSize()
                    + " differs from llm_config.vocab_size " + llm.vocabSize());
        }
        if (imageSize != embedding.imageSize()) {
            throw new ConfigException("force_image_size " + imageSize + " differs from embedding_config.image_size "
                    + embedding.imageSize() + " (position-table interpolation is not supported)");
        }
        if (minDynamicPatch < 1 || maxDynamicPatch < minDynamicPatch) {
            throw new ConfigException("min_dynamic_patch " + minDynamicPatch + " / max_dynamic_patch " + maxDynamicPatch
                    + " must satisfy 1 <= min <= max");
        }
        if (normalizeEncoderOutput) {
            throw new ConfigException("normalize_encoder_output=true is not supported (HoVLE releases use false)");
        }
    }

    /** Reads {@code config.json} from a snapshot directory. */
    public static HoVLEConfig read(Path snapshotDir) throws IOException {
        Path file = snapshotDir.resolve(FILE_NAME);
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException("no " + FILE_NAME + " in " + snapshotDir, e);
        }
    }

    /** Parses the text of a {@code config.json}. */
    public static HoVLEConfig parse(String json) {
        JsonFields root;
        try {
            var tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) {
                throw new ConfigException("config.json must hold a JSON object");
            }
            root = new JsonFields(tree, "");
        } catch (JsonProcessingException e) {
            throw new ConfigException("config.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        EmbeddingConfig embedding = EmbeddingConfig.parse(root.child("embedding_config"));
        return new HoVLEConfig(
                LlmConfig.parse(root.child("llm_config")),
                embedding,
                root.text("template"),
                root.integer("force_image_size", embedding.imageSize()),
                root.integer("min_dynamic_patch"),
                root.integer("max_dynamic_patch"),
                root.bool("use_thumbnail", false),
                root.bool("normalize_encoder_output", false),
                json);
    }

    /** Tokens one tile contributes to the LLM sequence. */
    public int tokensPerTile() {
        return embedding.tokensPerTile();
    }

    /** Tokens one tile contributes to the holistic module's sequence (4x more in the HD placement). */
    public int holisticTokensPerTile() {
        return embedding.pixelShuffleLocation() == PixelShuffleLocation.PRE
                ? embedding.tokensPerTile()
                : embedding.patchesPerTile();
    }

    /**
     * The LLM context length: prompts plus generated tokens must fit in it. {@code max_position_embeddings}, or the
     * length dynamic NTK scaling stretches it to.
     */
    public int maxContextLength() {
        return llm.transformer().rope().maxSequenceLength();
    }

    @Override
    public String toString() {
        return "HoVLEConfig[llm=" + llm + ", embedding=" + embedding + ", template=" + template + ", imageSize="
                + imageSize + ", tiles=" + minDynamicPatch + ".." + maxDynamicPatch + ", thumbnail=" + useThumbnail + "]";
    }
}
