package dev.hovle.pipeline.inference;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.operators.serving.EngineFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real engine made deliberately slow: results are released one at a time, at least {@code millisPerRequest}
 * apart, like an engine that can only serve that many requests per second. Records the most requests it ever held,
 * in this JVM, so a test can check that the job never handed it more than its bounded capacity.
 */
record SlowEngineFactory(EngineFactory inner, long millisPerRequest) implements EngineFactory {
    /** The most requests any slow engine in this JVM held at once. */
    static final AtomicInteger MAX_HELD = new AtomicInteger();

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        ScheduledExecutorService releases = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger held = new AtomicInteger();
        long[] nextRelease = {System.nanoTime()};
        return new DelegatingEngine(inner.create(model, modelVersion)) {
            @Override
            public GenerationHandle submit(GenerationRequest request) {
                MAX_HELD.accumulateAndGet(held.incrementAndGet(), Math::max);
                GenerationHandle real = engine.submit(request);
                CompletableFuture<GenerationResult> slow = new CompletableFuture<>();
                real.result().whenComplete((result, error) -> {
                    long delay;
                    synchronized (nextRelease) {
                        nextRelease[0] = Math.max(nextRelease[0], System.nanoTime())
                                + TimeUnit.MILLISECONDS.toNanos(millisPerRequest);
                        delay = nextRelease[0] - System.nanoTime();
                    }
                    releases.schedule(() -> {
                        held.decrementAndGet();
                        if (error == null) {
                            slow.complete(result);
                        } else {
                            slow.completeExceptionally(error);
                        }
                    }, delay, TimeUnit.NANOSECONDS);
                });
                return new GenerationHandle() {
                    @Override
                    public CompletableFuture<GenerationResult> result() {
                        return slow;
                    }

                    @Override
                    public void cancel() {
                        real.cancel();
                    }
                };
            }

            @Override
            public int pendingRequests() {
                return held.get();
            }

            @Override
            public void close() {
                releases.shutdownNow();
                engine.close();
            }
        };
    }

    @Override
    public int maxConcurrency() {
        return inner.maxConcurrency();
    }
}
