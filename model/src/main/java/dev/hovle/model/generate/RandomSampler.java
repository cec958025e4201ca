package dev.hovle.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Temperature sampling restricted to the top-k tokens and then to the smallest set whose probability reaches top-p,
 * the order Hugging Face's warpers apply them. The random stream comes from the request's seed alone, so a replayed
 * request samples the same tokens whatever it was batched with.
 */
public final class RandomSampler implements Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    public RandomSampler(double temperature, int topK, double topP, long seed) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive for sampling, found " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], found " + topP);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int sample(float[] logits) {
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Highest logit first; equal logits keep id order so the result is deterministic.
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, n) : n;
        double max = logits[order[0]];
        double[] weights = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            weights[i] = Math.exp((logits[order[i]] - max) / temperature);
            total += weights[i];
        }
        // Nucleus: the smallest prefix whose probability reaches top-p (always at least one token).
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < keep) {
            cumulative += weights[nucleus] / total;
            nucleus++;
            if (cumulative >= topP) {
                break;
            }
        }
        double nucleusTotal = 0;
        for (int i = 0; i < nucleus; i++) {
            nucleusTotal += weights[i];
        }
        double draw = random.nextDouble() * nucleusTotal;
        for (int i = 0; i < nucleus; i++) {
            draw -= weights[i];
            if (draw < 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }
}
