package dev.hovle.pipeline.inference;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.operators.serving.EngineFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real engine that throws from {@code submit} once, at the {@code crashAt}-th submission in this JVM, an error no
 * request can be blamed for alone (heap exhausted): the task fails, so the job restarts from its last checkpoint
 * mid-stream.
 */
record CrashingEngineFactory(EngineFactory inner, int crashAt) implements EngineFactory {
    /** Submissions so far, across restarts (the engine is rebuilt, this JVM is not). */
    static final AtomicInteger SUBMISSIONS = new AtomicInteger();

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        return new DelegatingEngine(inner.create(model, modelVersion)) {
            @Override
            public GenerationHandle submit(GenerationRequest request) {
                if (SUBMISSIONS.incrementAndGet() == crashAt) {
                    throw new OutOfMemoryError("Java heap space (injected at submission " + crashAt + ")");
                }
                return engine.submit(request);
            }
        };
    }

    @Override
    public int maxConcurrency() {
        return inner.maxConcurrency();
    }
}
