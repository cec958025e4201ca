package dev.hovle.model.prompt;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A chat request: earlier turns, the new question, and the number of tiles of each image, in prompt order (the
 * official {@code num_patches_list}; a tile count includes the thumbnail).
 *
 * <p>An empty history is the official {@code history=None}: only then does a question without {@code <image>} get
 * {@code <image>\n} prepended when there are images. (The official code skips that prefix for an explicit empty list;
 * nothing in this project passes one.)
 */
public record Conversation(List<Turn> history, String question, List<Integer> tilesPerImage) {

    public Conversation {
        history = List.copyOf(history);
        Objects.requireNonNull(question, "question");
        tilesPerImage = List.copyOf(tilesPerImage);
        for (int tiles : tilesPerImage) {
            if (tiles <= 0) {
                throw new IllegalArgumentException("every image needs at least one tile, got " + tilesPerImage);
            }
        }
    }

    /** A first question about images with the given tile counts (none for a text-only question). */
    public static Conversation of(String question, int... tilesPerImage) {
        return new Conversation(List.of(), question, Arrays.stream(tilesPerImage).boxed().toList());
    }

    /** This conversation with {@code turns} as its history. */
    public Conversation withHistory(List<Turn> turns) {
        return new Conversation(turns, question, tilesPerImage);
    }
}
