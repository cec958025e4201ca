package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Float32 master copies of float16 weights: small updates that float16 would round away accumulate here, and the
 * model's compute copies are refreshed from them after every step.
 */
final class MasterWeights implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> masters = new HashMap<>();

    MasterWeights(NDManager manager, List<TrainableParameter> parameters) {
        this.manager = manager;
        for (TrainableParameter p : parameters) {
            NDArray copy = p.array().toType(DataType.FLOAT32, true);
            copy.attach(manager);
            copy.setRequiresGradient(false);
            masters.put(p.name(), copy);
        }
    }

    boolean has(String name) {
        return masters.containsKey(name);
    }

    NDArray get(String name) {
        return masters.get(name);
    }

    /** Overwrites the model's float16 weight with its rounded master (the master is already attached to step). */
    void copyToModel(NDManager step, TrainableParameter p) {
        NDArray weight = p.array();
        weight.tempAttach(step);
        weight.muli(0).addi(masters.get(p.name()).toType(weight.getDataType(), false));
    }

    @Override
    public void close() {
        manager.close();
    }
}
