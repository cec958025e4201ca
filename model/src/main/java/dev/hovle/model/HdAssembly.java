package dev.hovle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.stream.IntStream;

/**
 * Builds the LLM input of the HD ({@code post}) placement: text positions take the holistic outputs of the HD
 * sequence's text positions in order, image positions take the projected image tokens in order.
 */
final class HdAssembly {
    private HdAssembly() {}

    /** holisticOut (1, N_hd, C), imageTokens (M, C) or null → (1, N, C). */
    static NDArray llmInput(NDManager scope, MultimodalInput input, int contextId, NDArray holisticOut,
            NDArray imageTokens) {
        int[] llmIds = input.inputIds();
        int[] hdIds = input.holisticIds();
        long[] hdText = IntStream.range(0, hdIds.length).filter(i -> hdIds[i] != contextId)
                .asLongStream().toArray();
        long[] source = new long[llmIds.length];
        int text = 0;
        int image = 0;
        for (int i = 0; i < llmIds.length; i++) {
            if (llmIds[i] == contextId) {
                source[i] = hdText.length + image++;
            } else {
                if (text >= hdText.length || hdIds[(int) hdText[text]] != llmIds[i]) {
                    throw new IllegalArgumentException("the HD sequence's text differs from the LLM sequence's at LLM"
                            + " position " + i);
                }
                source[i] = text++;
            }
        }
        long imageCount = imageTokens == null ? 0 : imageTokens.getShape().get(0);
        if (text != hdText.length || image != imageCount) {
            throw new IllegalArgumentException("HD sequence does not match the LLM sequence: " + text + "/" + hdText.length
                    + " text positions, " + image + "/" + imageCount + " image tokens");
        }
        NDArray rows = holisticOut.get(0).get(scope.create(hdText)); // (N_text, C)
        if (imageTokens != null) {
            rows = rows.concat(imageTokens, 0);
        }
        return rows.get(scope.create(source)).expandDims(0);
    }
}
