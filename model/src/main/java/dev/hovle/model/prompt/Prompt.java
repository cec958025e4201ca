package dev.hovle.model.prompt;

import java.util.Objects;

/**
 * A rendered prompt, ready for the tokenizer.
 *
 * @param text the prompt of the language model, with {@code num_image_token} context tokens per tile
 * @param hdText the HoVLE-HD ("post") prompt of the holistic module, with {@code num_image_token / downsample_ratio²}
 *     context tokens per tile; null when the builder has no HD ratio
 */
public record Prompt(String text, String hdText) {

    public Prompt {
        Objects.requireNonNull(text, "text");
    }

    public boolean hasHd() {
        return hdText != null;
    }
}
