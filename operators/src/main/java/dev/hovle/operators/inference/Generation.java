package dev.hovle.operators.inference;

import dev.hovle.model.generate.GenerationResult;
import dev.hovle.schemas.ErrorType;

/**
 * What the engine made of a prepared request: its result, or the reason it failed. Text decoding and encoding
 * happen downstream so the engine's thread only hands this over.
 *
 * @param meta the request
 * @param preprocessMillis preparation time
 * @param waitMillis from preparation until submission to the engine (back-pressure before the async operator)
 * @param result the generation, or null on failure
 * @param errorType the failure, or null on success
 * @param errorMessage the failure's detail, or null on success
 * @param modelVersion the version that served (or failed) it
 */
public record Generation(RequestMeta meta, long preprocessMillis, long waitMillis, GenerationResult result,
        ErrorType errorType, String errorMessage, String modelVersion) {

    /** A successful generation. */
    public static Generation succeeded(PreparedRequest prepared, long waitMillis, GenerationResult result) {
        return new Generation(prepared.meta(), prepared.preprocessMillis(), waitMillis, result, null, null,
                result.modelVersion());
    }

    /** A failed generation. */
    public static Generation failed(PreparedRequest prepared, long waitMillis, ErrorType type, String message,
            String modelVersion) {
        return new Generation(prepared.meta(), prepared.preprocessMillis(), waitMillis, null, type, message, modelVersion);
    }
}
