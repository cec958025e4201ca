package dev.hovle.pipeline.inference;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationException;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.operators.serving.EngineFactory;
import java.util.concurrent.CompletableFuture;

/** A real engine that fails, as an engine may, every request whose id starts with {@code failPrefix}. */
record FailingEngineFactory(EngineFactory inner, String failPrefix) implements EngineFactory {

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        return new DelegatingEngine(inner.create(model, modelVersion)) {
            @Override
            public GenerationHandle submit(GenerationRequest request) {
                if (!request.id().startsWith(failPrefix)) {
                    return engine.submit(request);
                }
                CompletableFuture<GenerationResult> failed = CompletableFuture.failedFuture(
                        new GenerationException("injected failure for request " + request.id()));
                return new GenerationHandle() {
                    @Override
                    public CompletableFuture<GenerationResult> result() {
                        return failed;
                    }

                    @Override
                    public void cancel() {}
                };
            }
        };
    }

    @Override
    public int maxConcurrency() {
        return inner.maxConcurrency();
    }
}
