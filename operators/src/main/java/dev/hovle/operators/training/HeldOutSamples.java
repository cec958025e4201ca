package dev.hovle.operators.training;

import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.dataset.Sample;
import java.util.List;

/** The gate's held-out samples as a dataset the evaluator reads: every turn asked with the turns before it. */
record HeldOutSamples(List<Sample> samples) implements ConversationDataset {

    HeldOutSamples {
        samples = List.copyOf(samples);
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public Sample get(int index) {
        return samples.get(index);
    }
}
