package dev.hovle.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.layers.HolisticEmbedding;
import dev.hovle.model.layers.KvCache;
import dev.hovle.model.layers.LanguageModel;
import dev.hovle.model.weights.Checkpoint;
import dev.hovle.model.weights.HoVLEWeights;
import dev.hovle.model.weights.WeightLoader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A loaded HoVLE model: immutable configuration and weights, shared by every thread that runs it. Per-sequence
 * state (KV caches) lives in {@link SequenceCaches}; temporaries live in the caller's scope, a sub-manager of
 * {@link #newScope()}.
 */
public final class HoVLEModel implements AutoCloseable {
    private final HoVLEConfig config;
    private final HoVLEWeights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final HolisticEmbedding holistic;
    private final LanguageModel llm;

    private HoVLEModel(HoVLEConfig config, HoVLEWeights weights, NDManager manager, DataType dtype) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.holistic = new HolisticEmbedding(config.embedding(), weights.embedding());
        this.llm = new LanguageModel(config.llm(), weights.llm());
    }

    /** Loads a snapshot directory (config.json plus safetensors) on the CPU in float32. */
    public static HoVLEModel load(Path snapshotDir) throws IOException {
        return load(snapshotDir, Device.cpu(), DataType.FLOAT32);
    }

    /** Loads a snapshot directory onto {@code device}, computing in {@code dtype} (FLOAT32 or FLOAT16). */
    public static HoVLEModel load(Path snapshotDir, Device device, DataType dtype) throws IOException {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be FLOAT32 or FLOAT16, not " + dtype);
        }
        HoVLEConfig config = HoVLEConfig.read(snapshotDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (Checkpoint checkpoint = Checkpoint.open(snapshotDir)) {
            NDManager weightManager = manager.newSubManager();
            HoVLEWeights weights = WeightLoader.load(checkpoint, config, weightManager, dtype);
            // Nothing may attach to the weights' manager from now on: a temporary that tries is a leak, and fails.
            weightManager.cap();
            return new HoVLEModel(config, weights, manager, dtype);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The snapshot's configuration. */
    public HoVLEConfig config() {
        return config;
    }

    /** Every weight, by released name. */
    public HoVLEWeights weights() {
        return weights;
    }

    /** The compute dtype. */
    public DataType dtype() {
        return dtype;
    }

    /** The device the weights live on. */
    public Device device() {
        return manager.getDevice();
    }

    /**
     * Native arrays alive under this model: its weights plus whatever open scopes hold. Flat over a long run when
     * nothing leaks; exported as a metric and checked by the memory tests.
     */
    public int liveNativeArrays() {
        return manager.getManagedArrays().size();
    }

    /** A new scope on the model's device for one request's or one step's arrays; close it to free them. */
    public NDManager newScope() {
        return manager.newSubManager();
    }

    /**
     * Logits for every position of a prompt (1, N, V), computed without any cache: the reference path that the
     * cached and batched paths are tested against.
     */
    public NDArray forward(NDManager scope, MultimodalInput input, ForwardObserver observer) {
        NDArray inputsEmbeds = embed(scope, input, null, observer);
        NDArray hidden = llm.hidden(inputsEmbeds, null, observer::llmLayerOutput);
        observer.llmFinalHidden(hidden);
        return llm.logits(hidden);
    }

    /** Empty KV caches for one sequence whose holistic and LLM sequences may grow to the given lengths. */
    public SequenceCaches newCaches(NDManager scope, int holisticCapacity, int llmCapacity) {
        return new SequenceCaches(
                KvCache.allocate(scope, config.embedding().transformer(), 1, holisticCapacity, dtype),
                KvCache.allocate(scope, config.llm().transformer(), 1, llmCapacity, dtype));
    }

    /** Runs a whole prompt into empty caches and returns the last position's logits (V). */
    public NDArray prefill(NDManager scope, MultimodalInput input, SequenceCaches caches) {
        NDArray inputsEmbeds = embed(scope, input, caches.holistic(), ForwardObserver.NONE);
        NDArray hidden = llm.hidden(inputsEmbeds, caches.llm(), (layer, x) -> {});
        long last = hidden.getShape().get(1) - 1;
        return llm.logits(hidden.get(new NDIndex("0, {}", last)));
    }

    /** Feeds one generated token through both cached stacks and returns its logits (V). */
    public NDArray decode(NDManager scope, int token, SequenceCaches caches) {
        NDArray embedded = holistic.inputSequence(scope, new int[] {token}, null); // (1, 1, C)
        NDArray inputsEmbeds = holistic.encode(embedded, caches.holistic(), (layer, x) -> {});
        NDArray hidden = llm.hidden(inputsEmbeds, caches.llm(), (layer, x) -> {});
        return llm.logits(hidden.get(new NDIndex("0, 0")));
    }

    /**
     * The LLM's input embeddings (1, N, C) for a prompt. {@code pre}: the holistic output itself. {@code post}: the
     * holistic output over the HD sequence, its image positions pixel-shuffled and projected back to the LLM's
     * token count.
     */
    private NDArray embed(NDManager scope, MultimodalInput input, KvCache holisticCache, ForwardObserver observer) {
        NDArray vision = null;
        if (input.pixelValues() != null) {
            vision = holistic.visionEmbeddings(input.pixelValues().toType(dtype, false)); // (T, P, C)
            observer.visionEmbeddings(vision);
        }
        long width = config.embedding().transformer().hiddenSize();
        if (config.embedding().pixelShuffleLocation() == PixelShuffleLocation.PRE) {
            NDArray imageTokens = null;
            if (vision != null) {
                imageTokens = holistic.project(holistic.pixelShuffle(vision)).reshape(-1, width); // (T·P/4, C)
                observer.imageTokensProjected(imageTokens);
            }
            NDArray sequence = holistic.inputSequence(scope, input.holisticIds(), imageTokens);
            observer.holisticInput(sequence);
            NDArray out = holistic.encode(sequence, holisticCache, observer::holisticLayerOutput);
            observer.llmInput(out);
            return out;
        }
        NDArray sequence = holistic.inputSequence(scope, input.holisticIds(), vision == null ? null : vision.reshape(-1, width));
        observer.holisticInput(sequence);
        NDArray out = holistic.encode(sequence, holisticCache, observer::holisticLayerOutput); // (1, N_hd, C)
        NDArray imageTokens = null;
        if (vision != null) {
            NDArray imageOut = out.get(0).get(scope.create(contextPositions(input.holisticIds())));
            imageTokens = holistic.project(holistic.pixelShuffle(imageOut.reshape(vision.getShape())))
                    .reshape(-1, width); // (T·P/4, C)
            observer.imageTokensProjected(imageTokens);
        }
        NDArray inputsEmbeds = HdAssembly.llmInput(scope, input, config.embedding().imgContextTokenId(), out, imageTokens);
        observer.llmInput(inputsEmbeds);
        return inputsEmbeds;
    }

    private long[] contextPositions(int[] ids) {
        int context = config.embedding().imgContextTokenId();
        return java.util.stream.IntStream.range(0, ids.length).filter(i -> ids[i] == context).asLongStream().toArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
