package dev.hovle.operators.inference;

import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.PixelTensor;
import java.time.Instant;

/**
 * A request turned into what the engine runs: token ids for both stacks, normalised tiles and decoding settings.
 *
 * @param meta what the result needs
 * @param inputIds the LLM prompt
 * @param holisticIds the holistic module's prompt
 * @param pixels the tiles, or null for a text-only prompt
 * @param params stopping and sampling
 * @param deadlineMillis when the requester stops waiting (UTC milliseconds), or null
 * @param preprocessMillis time spent decoding, tiling and templating
 * @param preparedMillis when preparation finished (UTC milliseconds)
 */
public record PreparedRequest(RequestMeta meta, int[] inputIds, int[] holisticIds, PixelTensor pixels,
        GenerationParams params, Long deadlineMillis, long preprocessMillis, long preparedMillis) {

    /** The engine request. */
    public GenerationRequest toGenerationRequest() {
        Instant deadline = deadlineMillis == null ? null : Instant.ofEpochMilli(deadlineMillis);
        return GenerationRequest.of(meta.requestId(), inputIds, holisticIds, pixels, params).withDeadline(deadline);
    }
}
