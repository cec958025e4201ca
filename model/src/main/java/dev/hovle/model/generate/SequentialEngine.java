package dev.hovle.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.cache.SequenceCaches;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simple, correct engine: one worker thread runs requests one at a time in arrival order, each with its own KV
 * caches in its own native-memory scope. Any thread may submit.
 *
 * <pre>{@code
 * try (GenerationEngine engine = SequentialEngine.builder().setModel(model).build()) {
 *     GenerationResult r = engine.submit(request).result().join();
 * }
 * }</pre>
 */
public final class SequentialEngine implements GenerationEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SequentialEngine.class);

    private volatile HoVLEModel model;
    private volatile String modelVersion;
    private final AtomicReference<ModelSwap> pendingSwap =
            new AtomicReference<>();
    private final boolean closeModel;
    private final BlockingQueue<Sequence> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread worker;

    private SequentialEngine(HoVLEModel model, String modelVersion, boolean closeModel) {
        this.model = model;
        this.modelVersion = modelVersion;
        this.closeModel = closeModel;
        this.worker = new Thread(this::work, "hovle-engine");
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
        if (Admission.admit(model.config(), request, closed.get(), sequence.result)) {
            pending.incrementAndGet();
            queue.add(sequence);
        }
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

    @Override
    public CompletableFuture<HoVLEModel> swapModel(HoVLEModel next, String version) {
        return ModelSwap.supersede(pendingSwap, ModelSwap.to(model, next, version)).done();
    }

    /** Applies a pending swap between requests. */
    private void applySwap() {
        ModelSwap swap = pendingSwap.getAndSet(null);
        if (swap != null) {
            HoVLEModel previous = model;
            model = swap.model();
            modelVersion = swap.version();
            swap.done().complete(previous);
        }
    }

    private void work() {
        while (!closed.get()) {
            Sequence sequence;
            try {
                applySwap();
                // Wake up now and then so a swap applies while idle, not only when the next request comes.
                sequence = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (sequence == null) {
                continue;
            }
            applySwap();
            try {
                sequence.result.complete(run(sequence));
            } catch (RuntimeException | Error e) {
                // Even an Error (a class that failed to load, native OOM) fails this request, not the worker.
                LOG.warn("request {} failed", sequence.request.id(), e);
                sequence.result.completeExceptionally(new GenerationException("generation failed for request "
                        + sequence.request.id() + ": " + e.getMessage(), e));
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    private GenerationResult run(Sequence sequence) {
        GenerationRequest request = sequence.request;
        sequence.startedNanos = System.nanoTime();
        FinishReason reason = sequence.interruption();
        if (reason != null) {
            return sequence.finish(reason, modelVersion); // expired or cancelled while queued: spend nothing on it
        }
        try (NDManager scope = model.newScope()) {
            NDArray pixels = request.pixels() == null ? null : scope.create(request.pixels().values(),
                    new Shape(request.pixels().tiles(), 3, request.pixels().size(), request.pixels().size()));
            sequence.input = new MultimodalInput(request.inputIds(), request.holisticIds(), pixels);
            int maxNew = request.params().maxNewTokens();
            SequenceCaches caches = model.newCaches(scope, request.holisticIds().length + maxNew,
                    request.inputIds().length + maxNew);
            float[] logits;
            try (NDManager step = scope.newSubManager()) {
                logits = model.prefill(step, sequence.input, caches).toFloatArray();
            }
            sequence.firstTokenNanos = System.nanoTime();
            while ((reason = sequence.accept(logits)) == null) {
                try (NDManager step = scope.newSubManager()) {
                    logits = model.decode(step, sequence.lastToken(), caches, sequence::soFar).toFloatArray();
                }
            }
        }
        return sequence.finish(reason, modelVersion);
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
        for (Sequence s; (s = queue.poll()) != null; ) {
            s.result.completeExceptionally(new GenerationException("engine closed before request " + s.request.id()
                    + " ran"));
        }
        if (closeModel) {
            model.close();
        }
    }

    /** Builds a {@link SequentialEngine}. */
    public static final class Builder {
        private HoVLEModel model;
        private String modelVersion = "unversioned";
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

        /** Whether closing the engine also closes the model (default false). */
        public Builder optCloseModel(boolean value) {
            this.closeModel = value;
            return this;
        }

        public SequentialEngine build() {
            if (model == null) {
                throw new IllegalStateException("SequentialEngine needs a model: call setModel(HoVLEModel.load(dir))");
            }
            return new SequentialEngine(model, modelVersion, closeModel);
        }
    }
}
