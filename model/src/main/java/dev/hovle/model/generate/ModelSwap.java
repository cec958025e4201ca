package dev.hovle.model.generate;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.TransformerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** The rule for swapping models under a running engine: same shapes, so preallocated caches and prompts still fit. */
record ModelSwap(HoVLEModel model, String version, CompletableFuture<HoVLEModel> done) {

    /** A swap to {@code next}, already failed when its shapes do not fit the serving model's. */
    static ModelSwap to(HoVLEModel current, HoVLEModel next, String version) {
        ModelSwap swap = new ModelSwap(next, version, new CompletableFuture<>());
        try {
            requireSameShapes(current, next);
        } catch (IllegalArgumentException e) {
            swap.done.completeExceptionally(e);
        }
        return swap;
    }

    /** Replaces an earlier pending swap, which then fails: only the newest version is worth loading. */
    static ModelSwap supersede(AtomicReference<ModelSwap> pending, ModelSwap swap) {
        if (!swap.done.isDone()) {
            ModelSwap earlier = pending.getAndSet(swap);
            if (earlier != null) {
                earlier.done.completeExceptionally(new GenerationException("superseded by a swap to " + swap.version));
            }
        }
        return swap;
    }

    static void requireSameShapes(HoVLEModel current, HoVLEModel next) {
        HoVLEConfig a = current.config();
        HoVLEConfig b = next.config();
        List<String> differences = new ArrayList<>();
        differ(differences, "LLM shape", shape(a.llm().transformer()), shape(b.llm().transformer()));
        differ(differences, "holistic shape", shape(a.embedding().transformer()), shape(b.embedding().transformer()));
        differ(differences, "vocabulary", a.llm().vocabSize(), b.llm().vocabSize());
        differ(differences, "tile size", a.imageSize(), b.imageSize());
        differ(differences, "placement", a.embedding().pixelShuffleLocation(), b.embedding().pixelShuffleLocation());
        differ(differences, "<IMG_CONTEXT> id", a.embedding().imgContextTokenId(), b.embedding().imgContextTokenId());
        differ(differences, "dtype", current.dtype(), next.dtype());
        differ(differences, "device", current.device(), next.device());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("cannot swap in a model of another shape: " + String.join("; ", differences));
        }
    }

    private static List<Integer> shape(TransformerConfig t) {
        return List.of(t.hiddenSize(), t.numHeads(), t.numKvHeads(), t.intermediateSize(), t.numLayers());
    }

    private static void differ(List<String> out, String what, Object serving, Object candidate) {
        if (!serving.equals(candidate)) {
            out.add(what + " " + candidate + " instead of " + serving);
        }
    }
}
