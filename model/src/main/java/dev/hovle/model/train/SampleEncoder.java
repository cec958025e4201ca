package dev.hovle.model.train;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.prompt.LabelledSequence;
import dev.hovle.model.prompt.PromptBuilder;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.vision.PreprocessedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a conversation with images into an {@link EncodedSample} exactly as inference would see it: the images
 * tiled by the model's preprocessing, the turns rendered by the model's chat template and tokenized, labels on the
 * answers and their {@code <|im_end|>} only. Thread-safe.
 */
public final class SampleEncoder {
    private final HoVLEConfig config;
    private final HoVLETokenizer tokenizer;
    private final PromptBuilder prompts;
    private final ImagePreprocessor images;
    private final TeacherTargets teacher;

    private SampleEncoder(HoVLEConfig config, HoVLETokenizer tokenizer, PromptBuilder prompts, TeacherTargets teacher) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.prompts = prompts;
        this.teacher = teacher;
        this.images = ImagePreprocessor.builder().setTileSize(config.imageSize()).optMinTiles(config.minDynamicPatch())
                .optMaxTiles(config.maxDynamicPatch()).optUseThumbnail(config.useThumbnail()).build();
    }

    /** The encoder of a model: its template (default system message), tokens per tile and tiling. */
    public static SampleEncoder forModel(HoVLEConfig config, HoVLETokenizer tokenizer) {
        return new SampleEncoder(config, tokenizer, PromptBuilder.forModel(config), null);
    }

    /** The same encoder rendering prompts with {@code builder} (e.g. another system message). */
    public SampleEncoder withPrompts(PromptBuilder builder) {
        return new SampleEncoder(config, tokenizer, builder, teacher);
    }

    /** The same encoder attaching {@code targets}' features to every sample with images (for distillation). */
    public SampleEncoder withTeacher(TeacherTargets targets) {
        return new SampleEncoder(config, tokenizer, prompts, targets);
    }

    /**
     * Encodes one sample.
     *
     * @throws InvalidImageException when an image cannot be decoded
     * @throws IllegalArgumentException when the sequence does not fit the model's context
     */
    public EncodedSample encode(Sample sample) throws InvalidImageException {
        List<Integer> tilesPerImage = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (byte[] image : sample.images()) {
            PreprocessedImage tiled = images.preprocess(image);
            tilesPerImage.add(tiled.numTiles());
            pixels.add(tiled.pixelValues());
        }
        LabelledSequence sequence = prompts.label(sample.turns(), tilesPerImage, tokenizer);
        if (sequence.inputIds().length > config.maxContextLength()) {
            throw new IllegalArgumentException("sample " + sample.id() + " has " + sequence.inputIds().length
                    + " tokens, more than the context length " + config.maxContextLength());
        }
        int tiles = tilesPerImage.stream().mapToInt(Integer::intValue).sum();
        int[] holisticIds = sequence.hdInputIds() != null ? sequence.hdInputIds() : sequence.inputIds();
        EncodedSample encoded = new EncodedSample(sample.id(), sequence.inputIds(), holisticIds, sequence.labels(),
                tiles == 0 ? null : concat(pixels), tiles, config.imageSize(), null);
        return teacher == null || tiles == 0 ? encoded
                : encoded.withTeacherImageFeatures(teacher.imageTargets(encoded));
    }

    /** The tokenizer. */
    public HoVLETokenizer tokenizer() {
        return tokenizer;
    }

    private static float[] concat(List<float[]> parts) {
        float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
