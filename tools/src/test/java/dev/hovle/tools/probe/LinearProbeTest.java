package dev.hovle.tools.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void recoversALabelWrittenLinearlyIntoNoisyFeatures() {
        Random random = new Random(3);
        int[] labels = randomLabels(random, 600);
        List<float[]> features = gaussianNoise(random, labels.length, 12);
        for (int i = 0; i < labels.length; i++) {
            features.get(i)[labels[i]] += 4; // one direction per label, on top of unit noise in every dimension
        }

        LinearProbe.Result result = LinearProbe.fit(features, labels, 4, 0.7);

        assertThat(result.heldOutAccuracy()).isGreaterThan(0.97);
        assertThat(result.varianceShare()).isBetween(0.3, 0.6);
        assertThat(result.trained()).isEqualTo(420);
        assertThat(result.heldOut()).isEqualTo(180);
    }

    @Test
    void scoresChanceOnLabelsTheFeaturesDoNotCarry() {
        Random random = new Random(5);
        int[] labels = randomLabels(random, 4000);
        List<float[]> features = gaussianNoise(random, labels.length, 16);

        LinearProbe.Result result = LinearProbe.fit(features, labels, 4, 0.7);

        assertThat(result.heldOutAccuracy()).isBetween(0.2, 0.3);
        assertThat(result.varianceShare()).isLessThan(0.01);
    }

    @Test
    void namesWhatIsWrongWithItsInput() {
        List<float[]> two = List.of(new float[] {1, 2}, new float[] {3, 4});
        assertThatThrownBy(() -> LinearProbe.fit(two, new int[] {0}, 2, 0.5))
                .hasMessageContaining("2 feature vectors and 1 labels");
        assertThatThrownBy(() -> LinearProbe.fit(two, new int[] {0, 2}, 2, 0.5))
                .hasMessageContaining("label 2 is outside 0..1");
        assertThatThrownBy(() -> LinearProbe.fit(List.of(new float[] {1, 2}, new float[] {3}), new int[] {0, 1}, 2, 0.5))
                .hasMessageContaining("differ in length");
    }

    private static int[] randomLabels(Random random, int n) {
        return random.ints(n, 0, 4).toArray();
    }

    private static List<float[]> gaussianNoise(Random random, int n, int dims) {
        List<float[]> features = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[dims];
            for (int j = 0; j < dims; j++) {
                f[j] = (float) random.nextGaussian();
            }
            features.add(f);
        }
        return features;
    }
}
