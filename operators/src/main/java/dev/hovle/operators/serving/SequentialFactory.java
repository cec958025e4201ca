package dev.hovle.operators.serving;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.generate.SequentialEngine;

/** Builds a {@link SequentialEngine}. */
record SequentialFactory() implements EngineFactory {

    @Override
    public GenerationEngine create(HoVLEModel model, String modelVersion) {
        return SequentialEngine.builder().setModel(model).optModelVersion(modelVersion).build();
    }

    @Override
    public int maxConcurrency() {
        return 1;
    }
}
