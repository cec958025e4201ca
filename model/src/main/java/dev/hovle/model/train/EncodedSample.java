package dev.hovle.model.train;

import java.util.Objects;

/**
 * One training sample as plain Java data, ready to become tensors: token ids for both stacks, next-token labels,
 * normalised image tiles and, for distillation, the teacher's targets at the image tokens.
 *
 * @param id the sample's id in its dataset
 * @param inputIds the LLM sequence (BOS, template, answers with their {@code <|im_end|>})
 * @param holisticIds the holistic module's sequence (the HD sequence in the post placement, else inputIds)
 * @param labels {@link Losses#IGNORE} except at answer and {@code <|im_end|>} positions, same length as inputIds
 * @param pixels tiles of every image in prompt order, (T, 3, S, S) row-major, or null for text only
 * @param tiles T, 0 for text only
 * @param tileSize S
 * @param teacherImageFeatures teacher targets of the image tokens, (image tokens, C) row-major, or null
 */
public record EncodedSample(String id, int[] inputIds, int[] holisticIds, int[] labels, float[] pixels, int tiles,
        int tileSize, float[] teacherImageFeatures) {

    public EncodedSample {
        Objects.requireNonNull(id, "id");
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("sample " + id + ": " + inputIds.length + " ids but " + labels.length
                    + " labels");
        }
        if ((pixels == null) != (tiles == 0)) {
            throw new IllegalArgumentException("sample " + id + ": pixels and tile count disagree");
        }
    }

    /** This sample with teacher targets for its image tokens. */
    public EncodedSample withTeacherImageFeatures(float[] features) {
        return new EncodedSample(id, inputIds, holisticIds, labels, pixels, tiles, tileSize, features);
    }

    /** Whether the sample has images. */
    public boolean hasImages() {
        return tiles > 0;
    }
}
