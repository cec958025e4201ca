package dev.hovle.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.SequenceCaches;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    private final HoVLEModel model;
    private final String modelVersion;
    private final boolean closeModel;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
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
        Job job = new Job(request, System.nanoTime());
        if (closed.get()) {
            job.result.completeExceptionally(new GenerationException("engine is closed; request " + request.id()
                    + " was not run"));
            return job;
        }
        try {
            Admission.check(model.config(), request);
        } catch (GenerationException e) {
            job.result.completeExceptionally(e);
            return job;
        }
        pending.incrementAndGet();
        queue.add(job);
        return job;
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public int pendingRequests() {
        return pending.get();
    }

    private void work() {
        while (!closed.get()) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                job.result.complete(run(job));
            } catch (RuntimeException | Error e) {
                // Even an Error (a class that failed to load, native OOM) fails this request, not the worker.
                LOG.warn("request {} failed", job.request.id(), e);
                job.result.completeExceptionally(new GenerationException("generation failed for request "
                        + job.request.id() + ": " + e.getMessage(), e));
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    private GenerationResult run(Job job) {
        GenerationRequest request = job.request;
        long started = System.nanoTime();
        long queueNanos = started - job.submittedNanos;
        GenerationParams params = request.params();
        Sampler sampler = Sampler.of(params.sampling());
        int[] tokens = new int[params.maxNewTokens()];
        int count = 0;
        FinishReason reason = FinishReason.LENGTH;
        if (request.deadline() != null && Instant.now().isAfter(request.deadline())) {
            // Expired while queued: spend nothing on it.
            return new GenerationResult(new int[0], FinishReason.DEADLINE, request.inputIds().length,
                    new GenerationTimings(queueNanos, 0, 0), modelVersion);
        }
        long prefillNanos;
        try (NDManager scope = model.newScope()) {
            NDArray pixels = request.pixels() == null ? null : scope.create(request.pixels().values(),
                    new Shape(request.pixels().tiles(), 3, request.pixels().size(), request.pixels().size()));
            MultimodalInput input = new MultimodalInput(request.inputIds(), request.holisticIds(), pixels);
            SequenceCaches caches = model.newCaches(scope, request.holisticIds().length + params.maxNewTokens(),
                    request.inputIds().length + params.maxNewTokens());
            float[] logits;
            try (NDManager step = scope.newSubManager()) {
                logits = model.prefill(step, input, caches).toFloatArray();
            }
            prefillNanos = System.nanoTime() - started;
            while (true) {
                int token = sampler.sample(logits);
                if (params.isStop(token)) {
                    reason = FinishReason.STOP;
                    break;
                }
                tokens[count++] = token;
                request.listener().onToken(token);
                if (count == params.maxNewTokens()) {
                    reason = FinishReason.LENGTH;
                    break;
                }
                if (job.cancelled.get()) {
                    reason = FinishReason.CANCELLED;
                    break;
                }
                if (request.deadline() != null && Instant.now().isAfter(request.deadline())) {
                    reason = FinishReason.DEADLINE;
                    break;
                }
                try (NDManager step = scope.newSubManager()) {
                    logits = model.decode(step, token, caches).toFloatArray();
                }
            }
        }
        long decodeNanos = System.nanoTime() - started - prefillNanos;
        return new GenerationResult(Arrays.copyOf(tokens, count), reason, request.inputIds().length,
                new GenerationTimings(queueNanos, prefillNanos, decodeNanos), modelVersion);
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
        for (Job job; (job = queue.poll()) != null; ) {
            job.result.completeExceptionally(new GenerationException("engine closed before request " + job.request.id()
                    + " ran"));
        }
        if (closeModel) {
            model.close();
        }
    }

    private static final class Job implements GenerationHandle {
        final GenerationRequest request;
        final long submittedNanos;
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final AtomicBoolean cancelled = new AtomicBoolean();

        Job(GenerationRequest request, long submittedNanos) {
            this.request = request;
            this.submittedNanos = submittedNanos;
        }

        @Override
        public CompletableFuture<GenerationResult> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancelled.set(true);
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
