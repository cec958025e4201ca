package dev.hovle.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.cache.KvCache;
import dev.hovle.model.cache.SequenceCaches;
import dev.hovle.model.cache.SlotKvCache;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.layers.DecoderStack;
import dev.hovle.model.layers.HolisticEmbedding;
import dev.hovle.model.layers.HostGemv;
import dev.hovle.model.layers.LanguageModel;
import dev.hovle.model.weights.Checkpoint;
import dev.hovle.model.weights.HoVLEWeights;
import dev.hovle.model.weights.WeightLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;

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
        this.holistic = new HolisticEmbedding(config.embedding(), weights.embedding(), weights.hostViews());
        this.llm = new LanguageModel(config.llm(), weights.llm(), weights.hostViews());
    }

    /** Loads a snapshot directory (config.json plus safetensors) on the CPU in float32. */
    public static HoVLEModel load(Path snapshotDir) throws IOException {
        return load(snapshotDir, Device.cpu(), DataType.FLOAT32);
    }

    /** Loads a snapshot directory onto {@code device} for inference, computing in {@code dtype}. */
    public static HoVLEModel load(Path snapshotDir, Device device, DataType dtype) throws IOException {
        return load(snapshotDir, device, dtype, WeightMode.INFERENCE);
    }

    /** Loads a snapshot directory onto {@code device}, computing in {@code dtype} (FLOAT32 or FLOAT16). */
    public static HoVLEModel load(Path snapshotDir, Device device, DataType dtype, WeightMode mode)
            throws IOException {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be FLOAT32 or FLOAT16, not " + dtype);
        }
        HoVLEConfig config = HoVLEConfig.read(snapshotDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (Checkpoint checkpoint = Checkpoint.open(snapshotDir)) {
            NDManager weightManager = manager.newSubManager();
            // bf16 matrices stay bf16 where the CPU kernels can serve them: read-only float32 compute on the host.
            boolean hostKernels = mode == WeightMode.INFERENCE && dtype == DataType.FLOAT32
                    && device.getDeviceType().equals(Device.Type.CPU) && HostGemv.available();
            HoVLEWeights weights = WeightLoader.load(checkpoint, config, weightManager, dtype,
                    mode == WeightMode.TRAINING, hostKernels);
            if (mode == WeightMode.INFERENCE) {
                // Nothing may attach to the weights' manager from now on: a temporary that tries is a leak, and fails.
                weightManager.cap();
            }
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
        return forward(scope, List.of(input), observer);
    }

    /**
     * Logits (B, N_max, V) for a batch of prompts of different lengths, right-padded, without any cache. Each real
     * position's logits equal those of its prompt run alone; padded positions hold values to ignore.
     */
    public NDArray forward(NDManager scope, List<MultimodalInput> inputs, ForwardObserver observer) {
        NDArray inputsEmbeds = embed(scope, inputs, null, observer);
        NDArray hidden = llm.hidden(inputsEmbeds, null, observer::llmLayerOutput);
        observer.llmFinalHidden(hidden);
        return llm.logits(hidden);
    }

    /**
     * Final hidden states (B, N_max, C) for a batch of prompts, right-padded: {@link #forward} without the LM head, so
     * training can apply the head to the positions that carry a label only.
     */
    public NDArray hiddenStates(NDManager scope, List<MultimodalInput> inputs) {
        return llm.hidden(embed(scope, inputs, null, ForwardObserver.NONE), null, DecoderStack.LayerObserver.NONE);
    }

    /** The LM head: logits (..., V) of final hidden states (..., C). */
    public NDArray lmHead(NDArray hidden) {
        return llm.logits(hidden);
    }

    /**
     * The LLM's input embeddings (B, N_max, C) for a batch of prompts, right-padded: the holistic module's output as
     * the LLM consumes it. Distillation trains against these.
     */
    public NDArray inputEmbeddings(NDManager scope, List<MultimodalInput> inputs) {
        return embed(scope, inputs, null, ForwardObserver.NONE);
    }

    /** Empty KV caches for one sequence whose holistic and LLM sequences may grow to the given lengths. */
    public SequenceCaches newCaches(NDManager scope, int holisticCapacity, int llmCapacity) {
        return new SequenceCaches(
                KvCache.allocate(scope, config.embedding().transformer(), 1, holisticCapacity, dtype),
                KvCache.allocate(scope, config.llm().transformer(), 1, llmCapacity, dtype));
    }

    /** Runs a whole prompt into empty caches and returns the last position's logits (V). */
    public NDArray prefill(NDManager scope, MultimodalInput input, SequenceCaches caches) {
        return prefill(scope, input, caches.holistic(), caches.llm());
    }

    private NDArray prefill(NDManager scope, MultimodalInput input, KvCache holisticCache, KvCache llmCache) {
        NDArray inputsEmbeds = embed(scope, List.of(input), holisticCache, ForwardObserver.NONE);
        NDArray hidden = llm.hidden(inputsEmbeds, llmCache, (layer, x) -> {});
        long last = hidden.getShape().get(1) - 1;
        return llm.logits(hidden.get(new NDIndex("0, {}", last)));
    }

    /**
     * Starts running a prompt into one sequence's caches chunk by chunk; the prefill's long-lived arrays (image
     * tokens, holistic outputs) live in {@code requestScope}.
     */
    public ChunkedPrefill startPrefill(NDManager requestScope, MultimodalInput input, KvCache holisticCache,
            KvCache llmCache) {
        return new ChunkedPrefill(this, requestScope, input, holisticCache, llmCache);
    }

    /**
     * Whether a decode step that grows a sequence to these lengths must recompute the whole sequence. Past
     * {@code max_position_embeddings}, dynamic NTK scaling gives every length its own rotary base, and the official
     * greedy decoding runs each step over the whole sequence with the current base: every cached key and value (not
     * only the first layer's keys: all later layers read hidden states that the base changed) is stale. Below the
     * limit this is two comparisons and nothing else.
     */
    public boolean recomputesAt(int holisticLength, int llmLength) {
        return config.embedding().transformer().rope().isScaledAt(holisticLength)
                || config.llm().transformer().rope().isScaledAt(llmLength);
    }

    /**
     * Feeds one new token per sequence through both stacks, batched: sequence b lives in slot b of both slot caches.
     * Returns logits (B, V) and advances both caches. A sequence the step takes past a stack's
     * {@code max_position_embeddings} under dynamic NTK scaling is recomputed whole from
     * {@code sequenceSoFar.apply(b)}: its prompt followed by every generated token, the one fed now last.
     */
    public NDArray decodeBatch(NDManager step, int[] tokens, SlotKvCache holisticCache, SlotKvCache llmCache,
            IntFunction<MultimodalInput> sequenceSoFar) {
        int batch = tokens.length;
        int[] holisticPositions = holisticCache.positions(batch);
        int[] llmPositions = llmCache.positions(batch);
        NDArray embedded = holistic.embedTokens(step, tokens).reshape(batch, 1, -1); // (B, 1, C)
        NDArray inputsEmbeds = holistic.stack().decode(embedded, holisticPositions,
                holisticCache.decodeStore(step, batch));
        holisticCache.advanceDecoded(batch);
        NDArray x = llm.stack().decode(inputsEmbeds, llmPositions, llmCache.decodeStore(step, batch));
        llmCache.advanceDecoded(batch);
        NDArray logits = llm.logits(llm.finalNorm(x)).reshape(batch, -1);
        for (int b = 0; b < batch; b++) {
            int holisticLength = holisticPositions[b] + 1;
            int llmLength = llmPositions[b] + 1;
            if (recomputesAt(holisticLength, llmLength)) {
                // The batched step only rotated this sequence's new position; overwrite its row and its caches.
                logits.set(new NDIndex("{}", b), recompute(step, sequenceSoFar.apply(b), holisticLength, llmLength,
                        holisticCache.slot(b), llmCache.slot(b)));
            }
        }
        return logits;
    }

    /**
     * {@link #decodeBatch(NDManager, int[], SlotKvCache, SlotKvCache, IntFunction)} for sequences that never pass the
     * dynamic NTK limit: one that does fails the step.
     */
    public NDArray decodeBatch(NDManager step, int[] tokens, SlotKvCache holisticCache, SlotKvCache llmCache) {
        return decodeBatch(step, tokens, holisticCache, llmCache, b -> {
            throw noSequenceToRecompute();
        });
    }

    /**
     * Feeds one generated token through both cached stacks and returns its logits (V). A step past a stack's
     * {@code max_position_embeddings} under dynamic NTK scaling recomputes the whole sequence from
     * {@code sequenceSoFar}: the prompt followed by every generated token, this one last.
     */
    public NDArray decode(NDManager scope, int token, SequenceCaches caches, Supplier<MultimodalInput> sequenceSoFar) {
        int holisticLength = caches.holistic().length() + 1;
        int llmLength = caches.llm().length() + 1;
        if (recomputesAt(holisticLength, llmLength)) {
            return recompute(scope, sequenceSoFar.get(), holisticLength, llmLength, caches.holistic(), caches.llm());
        }
        NDArray embedded = holistic.embedTokens(scope, new int[] {token}); // (1, 1, C)
        NDArray inputsEmbeds = holistic.encode(embedded, caches.holistic(), (layer, x) -> {});
        NDArray hidden = llm.hidden(inputsEmbeds, caches.llm(), (layer, x) -> {});
        return llm.logits(hidden.get(new NDIndex("0, 0")));
    }

    /**
     * {@link #decode(NDManager, int, SequenceCaches, Supplier)} for sequences that never pass the dynamic NTK limit:
     * one that does fails.
     */
    public NDArray decode(NDManager scope, int token, SequenceCaches caches) {
        return decode(scope, token, caches, () -> {
            throw noSequenceToRecompute();
        });
    }

    private static IllegalStateException noSequenceToRecompute() {
        return new IllegalStateException("the sequence passes max_position_embeddings under dynamic NTK scaling and "
                + "must be recomputed: pass the sequence so far to decode/decodeBatch");
    }

    /**
     * The last position's logits (V) of {@code sequence} run whole into emptied caches, each stack rotating with the
     * base of its full length: exactly the official recomputation. The caches end up holding every position.
     */
    private NDArray recompute(NDManager scope, MultimodalInput sequence, int holisticLength, int llmLength,
            KvCache holisticCache, KvCache llmCache) {
        if (sequence.holisticIds().length != holisticLength || sequence.inputIds().length != llmLength) {
            throw new IllegalArgumentException("the sequence so far (" + sequence + ") should be " + holisticLength
                    + " holistic and " + llmLength + " LLM ids long: the cached positions plus the token fed now");
        }
        holisticCache.reset();
        llmCache.reset();
        return prefill(scope, sequence, holisticCache, llmCache);
    }

    /**
     * The LLM's input embeddings (B, N_max, C) for a batch of prompts, right-padded. {@code pre}: the holistic
     * output itself. {@code post}: the holistic output over the HD sequence, its image positions pixel-shuffled and
     * projected back to the LLM's token count. Right padding changes no real position: both stacks are causal, and
     * every sequence's positions start at 0.
     */
    private NDArray embed(NDManager scope, List<MultimodalInput> inputs, KvCache holisticCache,
            ForwardObserver observer) {
        NDArray holisticInput = holisticInputs(scope, inputs, observer);
        observer.holisticInput(holisticInput);
        NDArray out = holistic.encode(holisticInput, holisticCache, observer::holisticLayerOutput);
        if (config.embedding().pixelShuffleLocation() == PixelShuffleLocation.PRE) {
            observer.llmInput(out);
            return out;
        }
        List<NDArray> llmInputs = new ArrayList<>();
        for (int b = 0; b < inputs.size(); b++) {
            NDArray sequenceOut = out.get(new NDIndex("{}:{}", b, b + 1)); // (1, N_e max, C)
            llmInputs.add(assembleLlmInput(scope, inputs.get(b), sequenceOut, observer));
        }
        NDArray inputsEmbeds = rightPad(scope, llmInputs);
        observer.llmInput(inputsEmbeds);
        return inputsEmbeds;
    }

    /**
     * The sequences entering the holistic layers, right-padded (B, N_e max, C): text rows with the image rows put in
     * place. The tiles of all prompts go through the vision path as one batch.
     */
    private NDArray holisticInputs(NDManager scope, List<MultimodalInput> inputs, ForwardObserver observer) {
        boolean pre = config.embedding().pixelShuffleLocation() == PixelShuffleLocation.PRE;
        long width = config.embedding().transformer().hiddenSize();
        int rowsPerTile = pre ? config.embedding().tokensPerTile() : config.embedding().patchesPerTile();
        long[] imageRowCounts = inputs.stream().mapToLong(input -> input.tiles() * rowsPerTile).toArray();
        NDList tiles = new NDList();
        inputs.stream().filter(input -> input.pixelValues() != null).forEach(input -> tiles.add(input.pixelValues()));
        NDArray imageRows = null;
        if (!tiles.isEmpty()) {
            NDArray pixels = tiles.size() == 1 ? tiles.head() : NDArrays.concat(tiles, 0); // (ΣT, 3, S, S)
            NDArray vision = holistic.visionEmbeddings(pixels.toType(dtype, false)); // (ΣT, P, C)
            observer.visionEmbeddings(vision);
            if (pre) {
                imageRows = holistic.project(holistic.pixelShuffle(vision)).reshape(-1, width); // (ΣT·P/4, C)
                observer.imageTokensProjected(imageRows);
            } else {
                imageRows = vision.reshape(-1, width); // (ΣT·P, C)
            }
        }
        List<int[]> ids = inputs.stream().map(MultimodalInput::holisticIds).toList();
        return holistic.inputSequences(scope, ids, imageRows, imageRowCounts);
    }

    /** The sequence entering the holistic layers (1, N_e, C): text rows with the image rows put in place. */
    NDArray holisticInput(NDManager scope, MultimodalInput input) {
        return holisticInputs(scope, List.of(input), ForwardObserver.NONE);
    }

    /** The post placement's LLM input (1, N, C) from the holistic outputs over the whole HD sequence. */
    NDArray assembleLlmInput(NDManager scope, MultimodalInput input, NDArray holisticOut) {
        return assembleLlmInput(scope, input, holisticOut, ForwardObserver.NONE);
    }

    private NDArray assembleLlmInput(NDManager scope, MultimodalInput input, NDArray holisticOut,
            ForwardObserver observer) {
        NDArray imageTokens = null;
        if (input.pixelValues() != null) {
            long width = config.embedding().transformer().hiddenSize();
            NDArray imageOut = holisticOut.get(0).get(scope.create(contextPositions(input.holisticIds())));
            int patches = config.embedding().patchesPerTile();
            imageTokens = holistic.project(holistic.pixelShuffle(imageOut.reshape(-1, patches, width)))
                    .reshape(-1, width); // (T·P/4, C)
            observer.imageTokensProjected(imageTokens);
        }
        return HdAssembly.llmInput(scope, input, config.embedding().imgContextTokenId(), holisticOut, imageTokens);
    }

    HolisticEmbedding holistic() {
        return holistic;
    }

    LanguageModel llm() {
        return llm;
    }

    /** Stacks (1, N_i, C) sequences into (B, N_max, C), zero-filling after each sequence's end. */
    private static NDArray rightPad(NDManager scope, List<NDArray> sequences) {
        if (sequences.size() == 1) {
            return sequences.get(0);
        }
        long longest = sequences.stream().mapToLong(s -> s.getShape().get(1)).max().orElseThrow();
        NDList padded = new NDList();
        for (NDArray s : sequences) {
            long missing = longest - s.getShape().get(1);
            padded.add(missing == 0 ? s
                    : s.concat(scope.zeros(new Shape(1, missing, s.getShape().get(2)), s.getDataType()), 1));
        }
        return NDArrays.concat(padded, 0);
    }

    private long[] contextPositions(int[] ids) {
        int context = config.embedding().imgContextTokenId();
        return IntStream.range(0, ids.length).filter(i -> ids[i] == context).asLongStream().toArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
