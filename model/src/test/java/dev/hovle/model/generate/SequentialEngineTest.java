package dev.hovle.model.generate;

import dev.hovle.model.HoVLEModel;

class SequentialEngineTest extends GenerationEngineContractTest {
    @Override
    GenerationEngine newEngine(HoVLEModel served) {
        return SequentialEngine.builder().setModel(served).optModelVersion("golden-1").build();
    }
}
