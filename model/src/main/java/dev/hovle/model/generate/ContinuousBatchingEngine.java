package dev.hovle.model.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.cache.SlotKvCache;
import dev.hovle.model.config.PixelShuffleLocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: every step decodes one token for each running sequence, batched, and spends what is left of
 * the step's token budget on a chunk of the next prompt, so new sequences join between decode steps and a long
 * prompt never stalls the running ones. Finished, cancelled and expired sequences leave at once and free their slot.
 *
 * <p>KV caches for both stacks are preallocated slots: running sequences occupy slots 0..B-1 (a leaving sequence's
 * slot is refilled from the last one), and the sequence being prefilled occupies the top slot until it moves down
 * to join the batch.
 *
 * <pre>{@code
 * try (GenerationEngine engine = ContinuousBatchingEngine.builder().setModel(model)
 *         .optMaxBatch(8).optTokenBudget(256).build()) {
 *     engine.submit(request).result().join();
 * }
 * }</pre>
 */
public final class ContinuousBatchingEngine implements GenerationEngine {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatchingEngine.class);

    private volatile HoVLEModel model;
    private volatile String modelVersion;
    private final AtomicReference<ModelSwap> pendingSwap = new AtomicReference<>();
    private final int maxBatch;
    private final int tokenBudget;
    private final int prefillThreads;
    private final boolean closeModel;
    private final NDManager cacheScope;
    private final SlotKvCache holisticSlots;
    private final SlotKvCache llmSlots;
    private final BlockingQueue<Sequence> queue = new LinkedBlockingQueue<>();
    private final List<Sequence> running = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final EngineStats stats = new EngineStats();
    private final Thread worker;
    private Sequence prefilling;

    private ContinuousBatchingEngine(Builder b) {
        this.model = b.model;
        this.modelVersion = b.modelVersion;
        this.maxBatch = b.maxBatch;
        this.tokenBudget = b.tokenBudget;
        this.prefillThreads = b.prefillThreads;
        this.closeModel = b.closeModel;
        // The caches outlive any one model: a swapped-in model reuses them.
        this.cacheScope = NDManager.newBaseManager(model.device(), "PyTorch");
        int hdFactor = model.config().embedding().pixelShuffleLocation() == PixelShuffleLocation.POST
                ? model.config().holisticTokensPerTile() / model.config().tokensPerTile() : 1;
        // One slot per running sequence plus the top one for the prompt being prefilled.
        this.holisticSlots = new SlotKvCache(cacheScope, model.config().embedding().transformer(), maxBatch + 1,
                b.maxSequenceLength * hdFactor, model.dtype());
        this.llmSlots = new SlotKvCache(cacheScope, model.config().llm().transformer(), maxBatch + 1,
                b.maxSequenceLength, model.dtype());
        this.worker = new Thread(this::work, "hovle-batching-engine");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** A builder; {@code setModel} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public GenerationHandle submit(GenerationRequest request) {
        Sequence sequence = new Sequence(request, System.nanoTime());
        int maxNew = request.params().maxNewTokens();
        if (!Admission.admit(model.config(), request, closed.get(), sequence.result)) {
            return sequence;
        }
        if (request.inputIds().length + maxNew > llmSlots.capacity()
                || request.holisticIds().length + maxNew > holisticSlots.capacity()) {
            sequence.result.completeExceptionally(new PromptTooLongException("request " + request.id() + ": prompt of "
                    + request.inputIds().length + " tokens plus " + maxNew + " new tokens exceeds the engine's"
                    + " sequence length of " + llmSlots.capacity()));
            return sequence;
        }
        pending.incrementAndGet();
        queue.add(sequence);
        return sequence;
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public int pendingRequests() {
        return pending.get();
    }

    /** Counters of the engine's work so far, for metrics and benchmarks. */
    public EngineStats stats() {
        return stats;
    }

    private void work() {
        while (!closed.get()) {
            try {
                admit();
                if (prefilling != null || !running.isEmpty()) {
                    step();
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                // Even an Error fails the requests in flight, not the worker: later requests still get served.
                LOG.error("engine step failed; failing the requests in flight", e);
                failInFlight(e);
            }
        }
    }

    @Override
    public CompletableFuture<HoVLEModel> swapModel(HoVLEModel next, String version) {
        return ModelSwap.supersede(pendingSwap, ModelSwap.to(model, next, version)).done();
    }

    /**
     * Applies a pending swap once no sequence runs on the old model: admissions pause meanwhile, so the switch
     * happens between decode steps and every sequence runs on one model from its first token to its last.
     */
    private boolean swapWhenIdle() {
        ModelSwap swap = pendingSwap.get();
        if (swap == null) {
            return false;
        }
        if (prefilling != null || !running.isEmpty()) {
            return true;
        }
        pendingSwap.compareAndSet(swap, null);
        HoVLEModel previous = model;
        model = swap.model();
        modelVersion = swap.version();
        LOG.info("now serving model version {}", swap.version());
        swap.done().complete(previous);
        return false;
    }

    /** Starts the next queued request's prefill when the prefill slot and a batch slot are free. */
    private void admit() throws InterruptedException {
        while (prefilling == null && running.size() < maxBatch) {
            if (swapWhenIdle()) {
                return;
            }
            Sequence next = running.isEmpty() ? queue.poll(50, TimeUnit.MILLISECONDS) : queue.poll();
            if (next == null) {
                return;
            }
            next.startedNanos = System.nanoTime();
            FinishReason early = next.interruption();
            if (early != null) {
                complete(next, early);
                continue;
            }
            try {
                next.scope = model.newScope();
                GenerationRequest r = next.request;
                NDArray pixels = r.pixels() == null ? null : next.scope.create(r.pixels().values(),
                        new Shape(r.pixels().tiles(), 3, r.pixels().size(), r.pixels().size()));
                int top = maxBatch;
                holisticSlots.slot(top).reset();
                llmSlots.slot(top).reset();
                next.input = new MultimodalInput(r.inputIds(), r.holisticIds(), pixels);
                next.prefill = model.startPrefill(next.scope, next.input, holisticSlots.slot(top), llmSlots.slot(top));
                prefilling = next;
            } catch (RuntimeException | Error e) {
                fail(next, e);
            }
        }
    }

    private void step() {
        int batch = running.size();
        List<Sequence> finished = new ArrayList<>();
        FinishReason[] reasons = new FinishReason[batch + 1];
        long started = System.nanoTime();
        int prefillTokens = 0;
        try (NDManager step = model.newScope()) {
            if (batch > 0) {
                int[] last = running.stream().mapToInt(Sequence::lastToken).toArray();
                float[] logits = model.decodeBatch(step, last, holisticSlots, llmSlots, b -> running.get(b).soFar())
                        .toFloatArray();
                int vocab = logits.length / batch;
                for (int b = 0; b < batch; b++) {
                    reasons[b] = running.get(b).accept(Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab));
                }
            }
            if (prefilling != null) {
                int before = prefilling.prefill.remaining();
                NDArray logits = withPrefillThreads(() -> prefilling.prefill.advance(step, tokenBudget - batch));
                prefillTokens = before - prefilling.prefill.remaining();
                if (logits != null) {
                    Sequence joined = prefilling;
                    prefilling = null;
                    joined.firstTokenNanos = System.nanoTime();
                    FinishReason reason = joined.accept(logits.toFloatArray());
                    // Join the batch: the prompt's cache moves from the prefill slot to the next batch slot.
                    holisticSlots.move(maxBatch, running.size());
                    llmSlots.move(maxBatch, running.size());
                    running.add(joined);
                    reasons[batch] = reason;
                } else {
                    FinishReason reason = prefilling.interruption();
                    if (reason != null) {
                        complete(prefilling, reason);
                        prefilling = null;
                    }
                }
            }
        }
        stats.recordStep(batch, prefillTokens, System.nanoTime() - started);
        for (int i = running.size() - 1; i >= 0; i--) {
            if (reasons[i] != null) {
                finished.add(running.get(i));
                leave(i, reasons[i]);
            }
        }
    }

    /**
     * Runs a prefill chunk with its own CPU thread count: prefill is matmul-bound and uses every core, while decode
     * is bandwidth-bound and runs best on one (per-op threading overhead dominates small matrices).
     */
    private NDArray withPrefillThreads(Supplier<NDArray> chunk) {
        if (prefillThreads <= 0 || !model.device().equals(Device.cpu())) {
            return chunk.get();
        }
        int decodeThreads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(prefillThreads);
        try {
            return chunk.get();
        } finally {
            JniUtils.setNumThreads(decodeThreads);
        }
    }

    /** Completes the sequence in batch slot {@code i} and refills its slot from the last one. */
    private void leave(int i, FinishReason reason) {
        Sequence s = running.get(i);
        int last = running.size() - 1;
        if (i != last) {
            holisticSlots.move(last, i);
            llmSlots.move(last, i);
            running.set(i, running.get(last));
        } else {
            holisticSlots.slot(i).reset();
            llmSlots.slot(i).reset();
        }
        running.remove(last);
        complete(s, reason);
    }

    private void complete(Sequence s, FinishReason reason) {
        closeScope(s);
        pending.decrementAndGet();
        stats.recordFinished(s, reason);
        s.result.complete(s.finish(reason, modelVersion));
    }

    private void fail(Sequence s, Throwable e) {
        closeScope(s);
        pending.decrementAndGet();
        s.result.completeExceptionally(e instanceof GenerationException ge ? ge
                : new GenerationException("generation failed for request " + s.request.id() + ": " + e.getMessage(), e));
    }

    private void failInFlight(Throwable e) {
        for (Sequence s : running) {
            fail(s, e);
        }
        running.clear();
        if (prefilling != null) {
            fail(prefilling, e);
            prefilling = null;
        }
        for (int i = 0; i <= maxBatch; i++) {
            holisticSlots.slot(i).reset();
            llmSlots.slot(i).reset();
        }
    }

    private static void closeScope(Sequence s) {
        if (s.scope != null) {
            s.scope.close();
            s.scope = null;
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        worker.interrupt();
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        GenerationException closing = new GenerationException("engine closed before the request finished");
        for (Sequence s; (s = queue.poll()) != null; ) {
            fail(s, closing);
        }
        failInFlight(closing);
        cacheScope.close();
        if (closeModel) {
            model.close();
        }
    }

    /** Builds a {@link ContinuousBatchingEngine}. */
    public static final class Builder {
        private HoVLEModel model;
        private String modelVersion = "unversioned";
        private int maxBatch = 8;
        private int tokenBudget = 256;
        private int maxSequenceLength = 2048;
        private int prefillThreads;
        private boolean closeModel;

        private Builder() {}

        /** The model to serve (required). */
        public Builder setModel(HoVLEModel value) {
            this.model = value;
            return this;
        }

        /** The version name results carry. */
        public Builder optModelVersion(String value) {
            this.modelVersion = value;
            return this;
        }

        /** Most sequences decoded together (default 8). */
        public Builder optMaxBatch(int value) {
            this.maxBatch = value;
            return this;
        }

        /**
         * Most positions one step runs: one per running sequence plus a prefill chunk (default 256). The exception is
         * a sequence past {@code max_position_embeddings} under dynamic NTK scaling: each of its steps reruns the
         * whole sequence, because the official decoding does.
         */
        public Builder optTokenBudget(int value) {
            this.tokenBudget = value;
            return this;
        }

        /** Longest LLM sequence (prompt plus new tokens) a slot holds; sizes the preallocated caches (default 2048). */
        public Builder optMaxSequenceLength(int value) {
            this.maxSequenceLength = value;
            return this;
        }

        /** CPU threads for prefill chunks (default 0: the engine-wide setting); decode keeps the engine's. */
        public Builder optPrefillThreads(int value) {
            this.prefillThreads = value;
            return this;
        }

        /** Whether closing the engine also closes the model (default false). */
        public Builder optCloseModel(boolean value) {
            this.closeModel = value;
            return this;
        }

        public ContinuousBatchingEngine build() {
            if (model == null) {
                throw new IllegalStateException("ContinuousBatchingEngine needs a model: call setModel(HoVLEModel.load(dir))");
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("max batch must be at least 1, found " + maxBatch);
            }
            if (tokenBudget <= maxBatch) {
                throw new IllegalArgumentException("token budget " + tokenBudget + " must exceed the max batch " + maxBatch
                        + ", or a full batch would leave no room to prefill new prompts");
            }
            if (maxSequenceLength < 2 || maxSequenceLength > model.config().maxContextLength()) {
                throw new IllegalArgumentException("max sequence length " + maxSequenceLength + " must be in 2.."
                        + model.config().maxContextLength());
            }
            return new ContinuousBatchingEngine(this);
        }
    }
}
