package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import dev.hovle.model.weights.HoVLEWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A released tensor that a stage updates.
 *
 * @param name the released name, e.g. {@code embedding_model.encoder.0.attention.wqkv.weight}
 * @param array the model's weight, updated in place
 * @param decays whether AdamW's weight decay applies: matrices and tables do, vectors (norms, biases) do not
 * @param needsImages whether the tensor only sees a gradient from batches with images (patch and position
 *     embeddings, pixel-shuffle projector)
 */
public record TrainableParameter(String name, NDArray array, boolean decays, boolean needsImages) {

    /**
     * Tensors no forward pass reads: the vision CLS slot, and the LLM's token table (HoVLE feeds the LLM holistic
     * outputs; distillation reads the table only as a fixed target). The official code gives them no gradient.
     */
    static final Set<String> NEVER_READ = Set.of(
            "embedding_model.vision_embeddings.class_embedding", "language_model.model.tok_embeddings.weight");

    private static final List<String> VISION_PREFIXES = List.of(
            "embedding_model.vision_embeddings.", "embedding_model.pixel_shuffle_proj.");

    /** The tensors {@code stage} updates, in checkpoint order. */
    public static List<TrainableParameter> select(HoVLEWeights weights, Stage stage) {
        List<TrainableParameter> selected = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : weights.byName().entrySet()) {
            String name = e.getKey();
            if (stage.trains(name) && !NEVER_READ.contains(name)) {
                selected.add(new TrainableParameter(name, e.getValue(), e.getValue().getShape().dimension() >= 2,
                        isVisionPath(name)));
            }
        }
        return selected;
    }

    /**
     * Whether {@code name} is on the vision path before the holistic module: patch and position embeddings
     * ({@code embedding_model.vision_embeddings.*}) and the pixel-shuffle projector
     * ({@code embedding_model.pixel_shuffle_proj.*}).
     */
    public static boolean isVisionPath(String name) {
        return VISION_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** Whether a batch, with or without images, gives this tensor a gradient (as PyTorch's {@code grad is None}). */
    public boolean receivesGradient(boolean batchHasImages) {
        return batchHasImages || !needsImages;
    }
}
