package dev.hovle.model.config;

/**
 * The holistic embedding module: a stack of causal decoder layers over text-token and image-patch embeddings.
 *
 * @param transformer its decoder layers
 * @param imageSize tile side the patch grid and position table were built for
 * @param patchSize side of one square patch of the Conv2d stem
 * @param numChannels input channels of the Conv2d stem
 * @param downsampleRatio pixel-shuffle ratio (0.5 merges each 2x2 block of patches)
 * @param pixelShuffleLocation projector before (HoVLE) or after (HoVLE-HD) the layers
 * @param imgContextTokenId the {@code <IMG_CONTEXT>} id whose rows image tokens overwrite
 * @param vocabSize rows of {@code llm_text_embeddings}
 */
public record EmbeddingConfig(
        TransformerConfig transformer,
        int imageSize,
        int patchSize,
        int numChannels,
        double downsampleRatio,
        PixelShuffleLocation pixelShuffleLocation,
        int imgContextTokenId,
        int vocabSize) {

    public EmbeddingConfig {
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
            throw new ConfigException("embedding_config.image_size " + imageSize
                    + " must be a positive multiple of patch_size " + patchSize);
        }
        int grid = imageSize / patchSize;
        int shuffled = (int) Math.round(grid * downsampleRatio);
        if (Math.abs(grid * downsampleRatio - shuffled) > 1e-9 || Math.abs(1 / downsampleRatio - Math.round(1 / downsampleRatio)) > 1e-9) {
            throw new ConfigException("embedding_config.downsample_ratio " + downsampleRatio
                    + " does not divide the " + grid + "x" + grid + " patch grid");
        }
    }

    /** Patches per tile side (image_size / patch_size). */
    public int patchGrid() {
        return imageSize / patchSize;
    }

    /** Patches per tile before the pixel shuffle. */
    public int patchesPerTile() {
        return patchGrid() * patchGrid();
    }

    /** Side of the block of patches merged into one token (2 for ratio 0.5). */
    public int shuffleFactor() {
        return (int) Math.round(1 / downsampleRatio);
    }

    /** Tokens per tile after the pixel shuffle: what the LLM sees per tile. */
    public int tokensPerTile() {
        return patchesPerTile() / (shuffleFactor() * shuffleFactor());
    }

    static EmbeddingConfig parse(JsonFields f) {
        return new EmbeddingConfig(
                TransformerConfig.parse(f),
                f.integer("image_size"),
                f.integer("patch_size"),
                f.integer("num_channels", 3),
                f.number("downsample_ratio"),
                PixelShuffleLocation.parse(f.text("pixel_shuffle_loc"), f.qualified("pixel_shuffle_loc")),
                f.integer("img_context_token_id"),
                f.integer("llm_vocab_size"));
    }
}
