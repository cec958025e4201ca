package dev.hovle.tools.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.cache.SequenceCaches;

/**
 * Greedy decoding with KV caches, as the engines run it: one prefill over the prompt, then one decode step per
 * token. Keeps every step's logits, for comparing two implementations token by token.
 *
 * @param tokens the {@code steps} tokens chosen
 * @param logits each step's logits over the vocabulary, one after another
 */
record CachedGreedy(long[] tokens, float[] logits) {

    static CachedGreedy run(HoVLEModel model, NDManager scope, MultimodalInput input, int steps) {
        long[] tokens = new long[steps];
        float[] all = null;
        try (NDManager request = scope.newSubManager();
                SequenceCaches caches = model.newCaches(request, input.holisticIds().length + steps,
                        input.inputIds().length + steps)) {
            NDArray logits = model.prefill(request, input, caches);
            MultimodalInput soFar = input;
            for (int s = 0; s < steps; s++) {
                float[] step = logits.toFloatArray();
                if (all == null) {
                    all = new float[steps * step.length];
                }
                System.arraycopy(step, 0, all, s * step.length, step.length);
                tokens[s] = logits.argMax().getLong();
                if (s + 1 < steps) {
                    MultimodalInput grown = soFar.followedBy(new int[] {(int) tokens[s]});
                    logits = model.decode(request, (int) tokens[s], caches, () -> grown);
                    soFar = grown;
                }
            }
        }
        return new CachedGreedy(tokens, all);
    }
}
