package dev.hovle.model;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * One prompt as the model consumes it.
 *
 * @param inputIds the LLM sequence: BOS, template text, and each image's {@code <IMG_CONTEXT>} run
 * @param holisticIds the holistic module's sequence: equal to {@code inputIds} when the projector sits before the
 *     layers, the HD sequence (4x the context tokens per tile) when it sits after
 * @param pixelValues normalised tiles of every image in prompt order (T, 3, S, S), or null for text only
 */
public record MultimodalInput(int[] inputIds, int[] holisticIds, NDArray pixelValues) {

    public MultimodalInput {
        if (inputIds.length == 0 || holisticIds.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
    }

    /** A prompt whose holistic sequence is its LLM sequence (the {@code pre} placement, or text only). */
    public static MultimodalInput of(int[] inputIds, NDArray pixelValues) {
        return new MultimodalInput(inputIds, inputIds, pixelValues);
    }

    /** This prompt followed by {@code tokens}, appended to both sequences (generated tokens are plain text). */
    public MultimodalInput followedBy(int[] tokens) {
        return new MultimodalInput(concat(inputIds, tokens), concat(holisticIds, tokens), pixelValues);
    }

    private static int[] concat(int[] ids, int[] tokens) {
        int[] out = Arrays.copyOf(ids, ids.length + tokens.length);
        System.arraycopy(tokens, 0, out, ids.length, tokens.length);
        return out;
    }

    /** Tiles of all images, 0 for text only. */
    public long tiles() {
        return pixelValues == null ? 0 : pixelValues.getShape().get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultimodalInput m && Arrays.equals(inputIds, m.inputIds)
                && Arrays.equals(holisticIds, m.holisticIds) && pixelValues == m.pixelValues;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + Arrays.hashCode(holisticIds);
    }

    @Override
    public String toString() {
        return "MultimodalInput[" + inputIds.length + " LLM ids, " + holisticIds.length + " holistic ids, " + tiles()
                + " tiles]";
    }
}
