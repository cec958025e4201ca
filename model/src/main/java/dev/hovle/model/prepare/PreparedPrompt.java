package dev.hovle.model.prepare;

import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.PixelTensor;
import java.util.List;

/**
 * A prompt ready for the engine: its token ids for both stacks and its tiles, as plain Java data that can cross
 * threads (or a Flink network boundary) before any native array exists.
 *
 * @param text the prompt string the template built
 * @param inputIds the LLM sequence
 * @param holisticIds the holistic module's sequence (the HD prompt in the post placement, else inputIds)
 * @param pixels every image's tiles in prompt order, or null for text only
 * @param tilesPerImage tiles of each image
 */
public record PreparedPrompt(String text, int[] inputIds, int[] holisticIds, PixelTensor pixels,
        List<Integer> tilesPerImage) {

    /** An engine request for this prompt. */
    public GenerationRequest toRequest(String id, GenerationParams params) {
        return GenerationRequest.of(id, inputIds, holisticIds, pixels, params);
    }
}
