package dev.hovle.tools.bench;

import ai.djl.ndarray.NDArray;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.weights.HoVLEWeights;
import dev.hovle.model.weights.HostMatrix;
import java.util.Map;

/**
 * Bytes of weights one batch-1 decode step of a loaded model reads, counted from the weights as they are held, not
 * from the checkpoint's dtype: a bfloat16 matrix served from the mapping is read at 2 bytes per weight, one widened
 * to float32 on load (training, GPU) at 4.
 */
final class DecodeStepBytes {
    private DecodeStepBytes() {}

    /** Every matrix and norm of both stacks, the final norm, the LM head, and one row of the text table. */
    static long of(HoVLEModel model) {
        HoVLEWeights weights = model.weights();
        long bytes = 0;
        for (Map.Entry<String, NDArray> e : weights.byName().entrySet()) {
            if (BenchReport.readByEveryDecodeStep(e.getKey())) {
                bytes += heldBytes(weights, e.getValue());
            }
        }
        NDArray table = weights.embedding().textEmbeddings(); // the table a text token's row comes from
        return bytes + heldBytes(weights, table) / table.getShape().get(0);
    }

    /** The bytes the decode kernel streams where a weight has a host view, else the native array's. */
    private static long heldBytes(HoVLEWeights weights, NDArray weight) {
        HostMatrix view = weights.hostViews().of(weight);
        return view != null ? view.bytes().capacity() : weight.getShape().size() * weight.getDataType().getNumOfBytes();
    }
}
