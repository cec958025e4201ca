package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.cache.KvCache;
import dev.hovle.model.cache.KvStore;
import dev.hovle.model.config.TransformerConfig;
import dev.hovle.model.weights.DecoderLayerWeights;
import dev.hovle.model.weights.HostViews;
import java.util.List;

/** A causal stack of decoder layers over one sequence, with or without a KV cache. */
public final class DecoderStack {
    private final TransformerConfig config;
    private final List<DecoderLayerWeights> layers;
    private final HostViews views;
    private final RotaryEmbedding rotary;

    public DecoderStack(TransformerConfig config, List<DecoderLayerWeights> layers, HostViews views) {
        this.config = config;
        this.layers = layers;
        this.views = views;
        this.rotary = new RotaryEmbedding(config.rope(), config.headDim());
    }

    /** The stack's shape. */
    public TransformerConfig config() {
        return config;
    }

    /**
     * Runs every layer over x (B, T, C), whose positions follow those already in {@code cache} (or start at 0
     * when {@code cache} is null), and returns the last layer's output (B, T, C). The observer sees each layer's
     * output.
     */
    public NDArray forward(NDArray x, KvCache cache, LayerObserver observer) {
        int start = cache == null ? 0 : cache.length();
        return forward(x, cache, start + (int) x.getShape().get(1), observer);
    }

    /**
     * {@link #forward(NDArray, KvCache, LayerObserver)} for one chunk of a sequence that will be
     * {@code sequenceLength} long once every chunk has run: all chunks rotate with that length's dynamic NTK base,
     * as the official forward over the whole sequence does.
     */
    public NDArray forward(NDArray x, KvCache cache, int sequenceLength, LayerObserver observer) {
        int start = cache == null ? 0 : cache.length();
        int count = (int) x.getShape().get(1);
        NDManager manager = x.getManager();
        NDList rope = rotary.cosSin(manager, start, count, sequenceLength, x.getDataType());
        NDArray mask = causalMask(manager, start, count, x.getDataType());
        for (int i = 0; i < layers.size(); i++) {
            x = layer(x, i, rope, mask, cache);
            observer.layerOutput(i, x);
        }
        if (cache != null) {
            cache.advance(count);
        }
        return x;
    }

    /**
     * Runs every layer over one new position per sequence, x (B, 1, C), where sequence b's new position is
     * {@code positions[b]} and its keys and values live in {@code cache}. Returns (B, 1, C).
     */
    public NDArray decode(NDArray x, int[] positions, KvStore cache) {
        NDManager manager = x.getManager();
        NDList rope = rotary.cosSin(manager, positions, x.getDataType());
        NDArray mask = decodeMask(manager, positions, x.getDataType());
        for (int i = 0; i < layers.size(); i++) {
            x = layer(x, i, rope, mask, cache);
        }
        return x;
    }

    /**
     * Layer {@code i} with its temporaries freed as soon as it returns: only its output outlives it. Without this a
     * prefill over hundreds of positions holds every layer's activations until its step ends (gigabytes on the
     * released shape). Not while gradients are recorded: backward needs them.
     */
    private NDArray layer(NDArray x, int i, NDList rope, NDArray mask, KvStore cache) {
        if (x.hasGradient()) {
            return DecoderLayer.forward(x, layers.get(i), config, i, rope, mask, cache, views);
        }
        NDManager parent = x.getManager();
        try (NDManager scope = parent.newSubManager()) {
            x.tempAttach(scope);
            NDArray out = DecoderLayer.forward(x, layers.get(i), config, i, rope, mask, cache, views);
            out.attach(parent);
            return out;
        }
    }

    /** Additive causal mask (1, 1, 1, T, start + T): query i (position start + i) sees positions up to its own. */
    static NDArray causalMask(NDManager manager, int start, int count, DataType type) {
        NDArray queries = manager.arange(start, start + count, 1, DataType.INT32).expandDims(1); // (T, 1)
        NDArray keys = manager.arange(0, start + count, 1, DataType.INT32).expandDims(0); // (1, S)
        NDArray hidden = keys.gt(queries); // (T, S)
        return hidden.toType(type, false).mul(Ops.maskValue(type)).reshape(1, 1, 1, count, start + count);
    }

    /**
     * Additive mask (B, 1, 1, 1, S) for one new token per sequence over a batch cache S = max position + 1 long:
     * sequence b sees its positions 0..positions[b] and none of the padding beyond.
     */
    static NDArray decodeMask(NDManager manager, int[] positions, DataType type) {
        int longest = 0;
        for (int p : positions) {
            longest = Math.max(longest, p + 1);
        }
        NDArray own = manager.create(positions).reshape(positions.length, 1); // (B, 1)
        NDArray keys = manager.arange(0, longest, 1, DataType.INT32).expandDims(0); // (1, S)
        NDArray hidden = keys.gt(own); // (B, S)
        return hidden.toType(type, false).mul(Ops.maskValue(type)).reshape(positions.length, 1, 1, 1, longest);
    }

    /** Receives each layer's output; used by parity checks and debugging, a no-op by default. */
    @FunctionalInterface
    public interface LayerObserver {
        LayerObserver NONE = (layer, output) -> {};

        void layerOutput(int layer, NDArray output);
    }
}
