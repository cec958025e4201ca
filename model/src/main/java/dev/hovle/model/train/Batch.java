package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.MultimodalInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples that run through the model together, right-padded to the longest: both stacks are causal and every
 * sequence starts at position 0, so padding changes no real position, and the losses never read padded positions.
 */
public record Batch(List<EncodedSample> samples) {

    public Batch {
        samples = List.copyOf(samples);
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
    }

    /** Whether any sample has images (otherwise the vision tensors get no gradient). */
    public boolean hasImages() {
        return samples.stream().anyMatch(EncodedSample::hasImages);
    }

    /** How many terms {@code objective} sums over this batch: labelled next tokens, or embedded positions. */
    public long targets(Objective objective) {
        long total = 0;
        for (EncodedSample s : samples) {
            total += objective == Objective.NEXT_TOKEN ? Losses.targetCount(s.labels()) : s.inputIds().length;
        }
        return total;
    }

    /** The model inputs, their pixel tensors created in {@code scope}. */
    public List<MultimodalInput> toInputs(NDManager scope) {
        List<MultimodalInput> inputs = new ArrayList<>(samples.size());
        for (EncodedSample s : samples) {
            NDArray pixels = s.hasImages()
                    ? scope.create(s.pixels(), new Shape(s.tiles(), 3, s.tileSize(), s.tileSize())) : null;
            inputs.add(new MultimodalInput(s.inputIds(), s.holisticIds(), pixels));
        }
        return inputs;
    }

    /** Every sample's labels, in batch order. */
    public List<int[]> labels() {
        return samples.stream().map(EncodedSample::labels).toList();
    }
}
