package dev.hovle.model.prepare;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.PixelTensor;
import dev.hovle.model.generate.PromptTooLongException;
import dev.hovle.model.generate.SamplingParams;
import dev.hovle.model.prompt.Conversation;
import dev.hovle.model.prompt.Prompt;
import dev.hovle.model.prompt.PromptBuilder;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.vision.PreprocessedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything between a user's images and question and the engine's ids and pixels: decoding and tiling, the chat
 * template, tokenization, and the context-length check. Pure CPU work, thread-safe, no native arrays: the streaming
 * job runs it in parallel subtasks apart from generation.
 *
 * <pre>{@code
 * PromptPreparer preparer = PromptPreparer.builder().setConfig(config).setTokenizer(tokenizer).build();
 * PreparedPrompt p = preparer.prepare(List.of(jpegBytes), "What colour is the car?", List.of());
 * engine.submit(p.toRequest("r1", preparer.greedy(64)));
 * }</pre>
 */
public final class PromptPreparer {
    /** The question a caption request asks. */
    public static final String CAPTION_QUESTION = "Describe the image in one sentence.";

    private final HoVLEConfig config;
    private final HoVLETokenizer tokenizer;
    private final PromptBuilder prompts;
    private final ImagePreprocessor images;
    private final int stopToken;

    private PromptPreparer(Builder b) {
        this.config = b.config;
        this.tokenizer = b.tokenizer;
        this.prompts = PromptBuilder.forModel(config);
        this.images = ImagePreprocessor.builder().setTileSize(config.imageSize()).optMinTiles(config.minDynamicPatch())
                .optMaxTiles(b.maxTiles > 0 ? b.maxTiles : config.maxDynamicPatch()).optUseThumbnail(config.useThumbnail())
                .optPixelLimit(b.pixelLimit).build();
        // The official chat() ends generation at the template's separator.
        this.stopToken = tokenizer.tokenId(prompts.template().separator());
    }

    /** A builder; config and tokenizer are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Decodes, tiles and templates encoded images with a question (and earlier turns, oldest first). */
    public PreparedPrompt prepare(List<byte[]> encodedImages, String question, List<Turn> history)
            throws InvalidImageException {
        List<PreprocessedImage> tiled = new ArrayList<>();
        for (byte[] image : encodedImages) {
            tiled.add(images.preprocess(image));
        }
        return prepareTiled(tiled, question, history);
    }

    /** Templates already tiled images with a question. */
    public PreparedPrompt prepareTiled(List<PreprocessedImage> tiled, String question, List<Turn> history) {
        List<Integer> tiles = tiled.stream().map(PreprocessedImage::numTiles).toList();
        Prompt prompt = prompts.build(new Conversation(history, question, tiles));
        int[] ids = tokenizer.encode(prompt.text());
        int[] holisticIds = prompt.hasHd() ? tokenizer.encode(prompt.hdText()) : ids;
        if (ids.length >= config.maxContextLength()) {
            throw new PromptTooLongException("prompt of " + ids.length + " tokens does not fit the context length of "
                    + config.maxContextLength());
        }
        List<PixelTensor> pixels = new ArrayList<>();
        for (PreprocessedImage image : tiled) {
            pixels.add(new PixelTensor(image.pixelValues(), image.numTiles(), image.tileSize()));
        }
        return new PreparedPrompt(prompt.text(), ids, holisticIds, PixelTensor.concat(pixels), tiles);
    }

    /** The image preprocessor this preparer uses (for tiling images once and reusing them). */
    public ImagePreprocessor images() {
        return images;
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at the template's separator. */
    public GenerationParams greedy(int maxNewTokens) {
        return GenerationParams.greedy(maxNewTokens, stopToken);
    }

    /** Sampling of up to {@code maxNewTokens}, stopping at the template's separator. */
    public GenerationParams sampled(int maxNewTokens, SamplingParams sampling) {
        return new GenerationParams(maxNewTokens, new int[] {stopToken}, sampling);
    }

    /** Generated ids as text, special tokens skipped. */
    public String decode(int[] tokens) {
        return tokenizer.decode(tokens);
    }

    /** The tokenizer. */
    public HoVLETokenizer tokenizer() {
        return tokenizer;
    }

    /** Builds a {@link PromptPreparer}. */
    public static final class Builder {
        private HoVLEConfig config;
        private HoVLETokenizer tokenizer;
        private int maxTiles;
        private long pixelLimit = ImagePreprocessor.DEFAULT_PIXEL_LIMIT;

        private Builder() {}

        /** The model's configuration (required). */
        public Builder setConfig(HoVLEConfig value) {
            this.config = value;
            return this;
        }

        /** The model's tokenizer (required). */
        public Builder setTokenizer(HoVLETokenizer value) {
            this.tokenizer = value;
            return this;
        }

        /** Most tiles per image; default the config's max_dynamic_patch. */
        public Builder optMaxTiles(int value) {
            this.maxTiles = value;
            return this;
        }

        /** Largest image, in pixels, accepted before decoding (decompression-bomb guard). */
        public Builder optPixelLimit(long value) {
            this.pixelLimit = value;
            return this;
        }

        public PromptPreparer build() {
            if (config == null || tokenizer == null) {
                throw new IllegalStateException("PromptPreparer needs setConfig(HoVLEConfig.read(dir)) and "
                        + "setTokenizer(HoVLETokenizer.load(dir))");
            }
            return new PromptPreparer(this);
        }
    }
}
