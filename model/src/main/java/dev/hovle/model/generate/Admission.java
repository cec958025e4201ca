package dev.hovle.model.generate;

import dev.hovle.model.config.HoVLEConfig;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** The checks a request passes before it may queue, so a bad one fails at once with a clear message. */
final class Admission {
    private Admission() {}

    /**
     * Checks a request on submission: true when it may queue, else its future is already completed exceptionally.
     */
    static boolean admit(HoVLEConfig config, GenerationRequest request, boolean engineClosed,
            CompletableFuture<GenerationResult> result) {
        try {
            if (engineClosed) {
                throw new GenerationException("engine is closed; request " + request.id() + " was not run");
            }
            check(config, request);
            return true;
        } catch (GenerationException e) {
            result.completeExceptionally(e);
            return false;
        }
    }

    static void check(HoVLEConfig config, GenerationRequest request) {
        int context = config.maxContextLength();
        int needed = request.inputIds().length + request.params().maxNewTokens();
        if (needed > context) {
            throw new PromptTooLongException("request " + request.id() + ": prompt of " + request.inputIds().length
                    + " tokens plus " + request.params().maxNewTokens() + " new tokens exceeds the context length of "
                    + context);
        }
        int vocab = config.llm().vocabSize();
        for (int id : request.inputIds()) {
            if (id < 0 || id >= vocab) {
                throw new GenerationException("request " + request.id() + ": token id " + id + " is outside the vocabulary"
                        + " of " + vocab);
            }
        }
        int expectedTiles = request.pixels() == null ? 0 : request.pixels().tiles();
        if (request.pixels() != null && request.pixels().size() != config.imageSize()) {
            throw new GenerationException("request " + request.id() + ": tiles of " + request.pixels().size()
                    + " pixels, the model takes " + config.imageSize());
        }
        long contextTokens = Arrays.stream(request.inputIds())
                .filter(id -> id == config.embedding().imgContextTokenId()).count();
        if (contextTokens != (long) expectedTiles * config.tokensPerTile()) {
            throw new GenerationException("request " + request.id() + ": prompt has " + contextTokens
                    + " <IMG_CONTEXT> tokens but " + expectedTiles + " tiles need " + (long) expectedTiles
                    * config.tokensPerTile());
        }
    }
}
