package dev.hovle.model.dataset;

import dev.hovle.model.prompt.Turn;
import java.util.List;
import java.util.Objects;

/**
 * One training conversation: encoded images (PNG, JPEG or WebP bytes, in prompt order) and its turns.
 *
 * @param id the sample's id, unique in its dataset
 * @param images encoded images; empty for text only
 * @param turns the user/assistant exchanges; {@code <image>} placeholders may appear in questions
 */
public record Sample(String id, List<byte[]> images, List<Turn> turns) {

    public Sample {
        Objects.requireNonNull(id, "id");
        images = List.copyOf(images);
        turns = List.copyOf(turns);
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("sample " + id + " has no turn");
        }
    }
}
