package dev.hovle.pipeline.inference;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.GenerationHandle;
import dev.hovle.model.generate.GenerationRequest;
import java.util.concurrent.CompletableFuture;

/** A real engine with one behaviour changed by a subclass: the base of the tests' slow, failing and crashing engines. */
abstract class DelegatingEngine implements GenerationEngine {
    final GenerationEngine engine;

    DelegatingEngine(GenerationEngine engine) {
        this.engine = engine;
    }

    @Override
    public GenerationHandle submit(GenerationRequest request) {
        return engine.submit(request);
    }

    @Override
    public CompletableFuture<HoVLEModel> swapModel(HoVLEModel next, String version) {
        return engine.swapModel(next, version);
    }

    @Override
    public String modelVersion() {
        return engine.modelVersion();
    }

    @Override
    public int pendingRequests() {
        return engine.pendingRequests();
    }

    @Override
    public void close() {
        engine.close();
    }
}
