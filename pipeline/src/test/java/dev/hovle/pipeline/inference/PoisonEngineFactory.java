package dev.hovle.pipeline.inference;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.operators.serving.EngineFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real engine that, for every request whose id starts with {@code poisonPrefix}, throws an error no request can be
 * contained for (the heap exhausted): each time such a request is submitted the task fails and the job restarts.
 */
record PoisonEngineFactory(EngineFactory inner, String poisonPrefix) implements EngineFactory {
    /** Poisoned submissions in this JVM, across restarts. */
    static final AtomicInteger POISONED = new AtomicInteger();

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        return new DelegatingEngine(inner.create(model, modelVersion)) {
            @Override
            public GenerationHandle submit(GenerationRequest request) {
                if (request.id().startsWith(poisonPrefix)) {
                    POISONED.incrementAndGet();
                    throw new OutOfMemoryError("Java heap space (injected for request " + request.id() + ")");
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
