package dev.hovle.model.generate;

import java.time.Instant;

/**
 * One prompt to complete, already tokenized and tiled (the engine deals only in ids and pixels).
 *
 * @param id the caller's request id, for logs and metrics
 * @param inputIds the LLM sequence
 * @param holisticIds the holistic module's sequence (the HD prompt in the {@code post} placement, else inputIds)
 * @param pixels the prompt's image tiles, or null for text only
 * @param params stopping and sampling
 * @param deadline when the caller stops waiting: a request still running then finishes with
 *     {@link FinishReason#DEADLINE}; null for none
 * @param listener receives each token as it is produced
 */
public record GenerationRequest(
        String id, int[] inputIds, int[] holisticIds, PixelTensor pixels, GenerationParams params, Instant deadline,
        TokenListener listener) {

    public GenerationRequest {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("request " + id + " has an empty prompt");
        }
        if (holisticIds == null) {
            holisticIds = inputIds;
        }
        if (listener == null) {
            listener = TokenListener.NONE;
        }
    }

    /** A request without deadline or listener. */
    public static GenerationRequest of(String id, int[] inputIds, int[] holisticIds, PixelTensor pixels,
            GenerationParams params) {
        return new GenerationRequest(id, inputIds, holisticIds, pixels, params, null, TokenListener.NONE);
    }

    /** The same request with a token listener. */
    public GenerationRequest withListener(TokenListener newListener) {
        return new GenerationRequest(id, inputIds, holisticIds, pixels, params, deadline, newListener);
    }

    /** The same request with a deadline. */
    public GenerationRequest withDeadline(Instant newDeadline) {
        return new GenerationRequest(id, inputIds, holisticIds, pixels, params, newDeadline, listener);
    }
}
