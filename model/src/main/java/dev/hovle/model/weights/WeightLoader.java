package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.config.EmbeddingConfig;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.TransformerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one table from released HoVLE tensor names to model parameters. Every shape is derived from the config and
 * checked; a missing, unused or mis-shaped tensor fails the load with a message naming it (and both shapes).
 *
 * <p>Conversions applied on load: BF16 is widened to float32 in Java; every tensor is cast to the compute dtype.
 * With {@code hostKernels}, the BF16 matrices only the host kernels read (decoder projections, LM head, token
 * tables) are not widened but served from the mapping, so a bf16 model takes half the memory.
 * No tensor is transposed: layers use PyTorch's {@code [out, in]} layout as stored.
 */
public final class WeightLoader {
    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final DataType dtype;
    private final boolean writable;
    private final boolean hostKernels;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<TensorSpec> planned = new ArrayList<>();
    private final HostViews hostViews = new HostViews();

    private WeightLoader(Checkpoint checkpoint, NDManager manager, DataType dtype, boolean writable,
            boolean hostKernels) {
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.dtype = dtype;
        this.writable = writable;
        this.hostKernels = hostKernels;
    }

    /**
     * Loads and checks every tensor of {@code checkpoint} against {@code config}, in {@code dtype}. Read-only weights
     * may be the file mapping itself; {@code writable} ones (for training) are always copies.
     */
    public static HoVLEWeights load(Checkpoint checkpoint, HoVLEConfig config, NDManager manager, DataType dtype,
            boolean writable) {
        return load(checkpoint, config, manager, dtype, writable, false);
    }

    /**
     * {@link #load(Checkpoint, HoVLEConfig, NDManager, DataType, boolean)}, and with {@code hostKernels} (read-only
     * float32 compute on the CPU, where the Vector API kernels run) BF16 matrices the kernels serve stay BF16.
     */
    public static HoVLEWeights load(Checkpoint checkpoint, HoVLEConfig config, NDManager manager, DataType dtype,
            boolean writable, boolean hostKernels) {
        return new WeightLoader(checkpoint, manager, dtype, writable, hostKernels).bind(config);
    }

    /** Every tensor name and shape a checkpoint for {@code config} holds, in table order (reads nothing). */
    public static List<TensorSpec> layout(HoVLEConfig config) {
        WeightLoader planner = new WeightLoader(null, null, null, false, false);
        planner.bindTable(config);
        return List.copyOf(planner.planned);
    }

    /** A tensor's released name and shape. */
    public record TensorSpec(String name, long[] shape) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private HoVLEWeights bind(HoVLEConfig config) {
        HoVLEWeights bound = bindTable(config);
        Set<String> unused = new TreeSet<>(checkpoint.names());
        unused.removeAll(loaded.keySet());
        unused.forEach(name -> problems.add("unused tensor '" + name + "' " + checkpoint.info(name).shapeText()
                + ": the config describes no parameter of that name"));
        if (!problems.isEmpty()) {
            loaded.values().stream().filter(Objects::nonNull).forEach(NDArray::close);
            throw new WeightException("checkpoint does not match config.json (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        }
        return bound;
    }

    /** The table: one line per released tensor, its shape derived from the config. */
    private HoVLEWeights bindTable(HoVLEConfig config) {
        EmbeddingConfig e = config.embedding();
        int c = e.transformer().hiddenSize();
        int v = config.llm().vocabSize();
        int p = e.patchSize();
        int shuffled = c * e.shuffleFactor() * e.shuffleFactor();
        String emb = "embedding_model.";
        HolisticWeights holistic = new HolisticWeights(
                take(emb + "vision_embeddings.patch_embedding.weight", c, e.numChannels(), p, p),
                take(emb + "vision_embeddings.patch_embedding.bias", c),
                take(emb + "vision_embeddings.position_embedding", 1, e.patchesPerTile() + 1, c),
                take(emb + "vision_embeddings.class_embedding", 1, 1, c),
                served(emb + "llm_text_embeddings.weight", v, c),
                take(emb + "pixel_shuffle_proj.0.weight", c, shuffled),
                take(emb + "pixel_shuffle_proj.0.bias", c),
                take(emb + "pixel_shuffle_proj.2.weight", c, c),
                take(emb + "pixel_shuffle_proj.2.bias", c),
                layers(emb + "encoder.", e.transformer()));
        String lm = "language_model.";
        TransformerConfig t = config.llm().transformer();
        LlmWeights llm = new LlmWeights(
                served(lm + "model.tok_embeddings.weight", v, c),
                layers(lm + "model.layers.", t),
                take(lm + "model.norm.weight", c),
                served(lm + "output.weight", v, c));
        return new HoVLEWeights(holistic, llm, loaded, hostViews);
    }

    private List<DecoderLayerWeights> layers(String prefix, TransformerConfig t) {
        int c = t.hiddenSize();
        int i = t.intermediateSize();
        List<DecoderLayerWeights> layers = new ArrayList<>();
        for (int n = 0; n < t.numLayers(); n++) {
            String l = prefix + n + ".";
            layers.add(new DecoderLayerWeights(
                    take(l + "attention_norm.weight", c),
                    served(l + "attention.wqkv.weight", t.packedQkvRows(), c),
                    served(l + "attention.wo.weight", c, c),
                    take(l + "ffn_norm.weight", c),
                    served(l + "feed_forward.w1.weight", i, c),
                    served(l + "feed_forward.w3.weight", i, c),
                    served(l + "feed_forward.w2.weight", c, i)));
        }
        return layers;
    }

    private NDArray take(String name, long... expected) {
        return take(TensorReader.Placement.LIBTORCH, name, expected);
    }

    /** A matrix every use of which goes through the host kernels (linear layers, token-table rows). */
    private NDArray served(String name, long... expected) {
        return take(hostKernels ? TensorReader.Placement.HOST_KERNEL : TensorReader.Placement.LIBTORCH, name,
                expected);
    }

    private NDArray take(TensorReader.Placement placement, String name, long... expected) {
        if (checkpoint == null) {
            planned.add(new TensorSpec(name, expected));
            return null;
        }
        if (!checkpoint.names().contains(name)) {
            problems.add("missing tensor '" + name + "', expected shape " + Arrays.toString(expected));
            return null;
        }
        TensorInfo info = checkpoint.info(name);
        if (!Arrays.equals(info.shape(), expected)) {
            problems.add("tensor '" + name + "' has shape " + info.shapeText() + " in the checkpoint but the config"
                    + " expects " + Arrays.toString(expected));
            loaded.put(name, null);
            return null;
        }
        if (!problems.isEmpty()) {
            loaded.put(name, null); // already failing: only check the remaining names, read no more data
            return null;
        }
        try {
            NDArray array = checkpoint.read(name, manager, dtype, writable, hostViews, placement);
            array.setName(name);
            loaded.put(name, array);
            return array;
        } catch (IOException ex) {
            throw new UncheckedIOException("reading tensor '" + name + "'", ex);
        }
    }
}
