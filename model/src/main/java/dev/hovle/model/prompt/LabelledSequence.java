package dev.hovle.model.prompt;

/**
 * A tokenized conversation for training: input ids and next-token labels of the same length.
 *
 * @param inputIds the language-model sequence: BOS, prompt, each answer's tokens (no BOS) and its {@code <|im_end|>}
 * @param labels {@link #IGNORE_INDEX} on prompt positions (system, user turns, image tokens, assistant headers), the
 *     token id itself on answer and {@code <|im_end|>} positions
 * @param hdInputIds the HoVLE-HD holistic-module sequence (more image context tokens, same text); null without HD
 */
public record LabelledSequence(int[] inputIds, int[] labels, int[] hdInputIds) {

    /** The label of positions without a loss, as in PyTorch's cross-entropy. */
    public static final int IGNORE_INDEX = -100;

    public LabelledSequence {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("input ids (" + inputIds.length + ") and labels (" + labels.length
                    + ") differ in length");
        }
    }

    /** Number of positions that carry a label. */
    public int targetCount() {
        int n = 0;
        for (int label : labels) {
            if (label != IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }
}
