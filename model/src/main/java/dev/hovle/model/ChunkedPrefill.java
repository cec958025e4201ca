package dev.hovle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.hovle.model.cache.KvCache;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.layers.LanguageModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt run into its caches a chunk at a time, so a long prompt never holds up the decodes batched beside it.
 * {@code pre}: each chunk runs through the holistic stack and straight on through the LLM. {@code post}: the
 * holistic stack runs over the whole HD sequence first (the projector needs every patch of a tile), then the LLM
 * input is assembled and run in chunks. Every chunk rotates with the base of the whole prompt's length, so a prompt
 * past {@code max_position_embeddings} under dynamic NTK scaling prefills as the official one-shot forward.
 */
public final class ChunkedPrefill {
    private final HoVLEModel model;
    private final NDManager scope;
    private final MultimodalInput input;
    private final KvCache holisticCache;
    private final KvCache llmCache;
    private final NDArray holisticInput; // (1, N_e, C)
    private final List<NDArray> holisticOutputs = new ArrayList<>();
    private NDArray llmInput; // (1, N, C), post placement only, once the holistic stack is done
    private int holisticDone;
    private int llmDone;

    ChunkedPrefill(HoVLEModel model, NDManager scope, MultimodalInput input, KvCache holisticCache, KvCache llmCache) {
        this.model = model;
        this.scope = scope;
        this.input = input;
        this.holisticCache = holisticCache;
        this.llmCache = llmCache;
        this.holisticInput = model.holisticInput(scope, input);
    }

    /** Prompt positions still to run, counted per stack. */
    public int remaining() {
        return (input.holisticIds().length - holisticDone) + (isPre() ? 0 : input.inputIds().length - llmDone);
    }

    /** Whether every position has run. */
    public boolean done() {
        return remaining() == 0;
    }

    /**
     * Runs up to {@code budget} more positions (at least one) in {@code step}'s scope; returns the last position's
     * logits (V) once the prompt is complete, else null.
     */
    public NDArray advance(NDManager step, int budget) {
        int chunk = Math.max(1, budget);
        int holisticLength = input.holisticIds().length;
        if (holisticDone < holisticLength) {
            int end = Math.min(holisticLength, holisticDone + chunk);
            NDArray part = holisticInput.get(step, new NDIndex(":, {}:{}", holisticDone, end));
            NDArray out = model.holistic().stack().forward(part, holisticCache, holisticLength, (layer, x) -> {});
            holisticDone = end;
            if (isPre()) {
                // The holistic output is the LLM input, position for position.
                return runLlm(step, out, end == holisticLength);
            }
            out.attach(scope);
            holisticOutputs.add(out);
            if (end == holisticLength) {
                llmInput = model.assembleLlmInput(scope, input, concat(holisticOutputs));
            }
            return null;
        }
        int end = Math.min(input.inputIds().length, llmDone + chunk);
        NDArray part = llmInput.get(step, new NDIndex(":, {}:{}", llmDone, end));
        llmDone = end;
        return runLlm(step, part, end == input.inputIds().length);
    }

    private NDArray runLlm(NDManager step, NDArray inputsEmbeds, boolean last) {
        LanguageModel llm = model.llm();
        NDArray hidden = llm.finalNorm(llm.stack().forward(inputsEmbeds, llmCache, input.inputIds().length,
                (layer, x) -> {}));
        if (isPre()) {
            llmDone += (int) inputsEmbeds.getShape().get(1);
        }
        if (!last) {
            return null;
        }
        long final_ = hidden.getShape().get(1) - 1;
        return llm.logits(hidden.get(step, new NDIndex("0, {}", final_)));
    }

    private boolean isPre() {
        return model.config().embedding().pixelShuffleLocation() == PixelShuffleLocation.PRE;
    }

    private static NDArray concat(List<NDArray> parts) {
        NDArray all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.concat(parts.get(i), 1);
        }
        return all;
    }
}
