package dev.hovle.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MedianSummaryTest {

    @Test
    void oddCountGivesTheMiddleValueQuartilesAndTheSecondOrderStatisticsAsInterval() {
        MedianSummary s = MedianSummary.of(new double[] {9, 2, 7, 4, 5, 1, 8, 3, 6});

        assertThat(s.median()).isEqualTo(5);
        assertThat(s.lowerQuartile()).isEqualTo(3);
        assertThat(s.upperQuartile()).isEqualTo(7);
        assertThat(s.interquartileRange()).isEqualTo(4);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(9);
        // n = 9: 1 - 2 (1 + 9) / 512 = 0.961 keeps the 2nd and 8th; the 3rd and 7th would cover only 0.82.
        assertThat(s.ciLow()).isEqualTo(2);
        assertThat(s.ciHigh()).isEqualTo(8);
        assertThat(s.ciCoverage()).isCloseTo(1 - 20.0 / 512, within(1e-12));
    }

    @Test
    void evenCountInterpolatesMedianAndQuartiles() {
        MedianSummary s = MedianSummary.of(new double[] {4, 1, 3, 2});

        assertThat(s.median()).isEqualTo(2.5);
        assertThat(s.lowerQuartile()).isEqualTo(1.75);
        assertThat(s.upperQuartile()).isEqualTo(3.25);
    }

    @Test
    void thirtyRoundsTakeTheTenthAndTwentyFirstValuesAsTheTextbookInterval() {
        MedianSummary s = MedianSummary.of(IntStream.rangeClosed(1, 30).mapToDouble(i -> 31 - i).toArray());

        assertThat(s.ciLow()).isEqualTo(10);
        assertThat(s.ciHigh()).isEqualTo(21);
        assertThat(s.ciCoverage()).isCloseTo(0.9572, within(1e-4));
    }

    @Test
    void tooFewValuesFallBackToMinMaxAndSayTheirLowerCoverage() {
        MedianSummary s = MedianSummary.of(new double[] {3, 1, 2, 5, 4});

        assertThat(s.ciLow()).isEqualTo(1);
        assertThat(s.ciHigh()).isEqualTo(5);
        assertThat(s.ciCoverage()).isCloseTo(1 - 2.0 / 32, within(1e-12));
    }

    @Test
    void intervalRankNeverDropsBelowNinetyFivePercentFromSixValuesOn() {
        for (int n = 6; n <= 200; n++) {
            int k = MedianSummary.medianIntervalRank(n);
            assertThat(MedianSummary.coverage(n, k)).as("n = %d", n).isGreaterThanOrEqualTo(0.95);
            assertThat(MedianSummary.coverage(n, k + 1)).as("n = %d", n).isLessThan(0.95);
        }
    }

    @Test
    void complementTurnsARatioIntoAnOverheadWithSwappedEnds() {
        MedianSummary ratio = MedianSummary.of(new double[] {0.9, 0.95, 1.0, 0.97, 0.92, 0.99});
        MedianSummary overhead = ratio.complement();

        assertThat(overhead.median()).isCloseTo(1 - ratio.median(), within(1e-12));
        assertThat(overhead.ciLow()).isCloseTo(1 - ratio.ciHigh(), within(1e-12));
        assertThat(overhead.ciHigh()).isCloseTo(1 - ratio.ciLow(), within(1e-12));
        assertThat(overhead.lowerQuartile()).isCloseTo(1 - ratio.upperQuartile(), within(1e-12));
        assertThat(overhead.ciLow()).isLessThanOrEqualTo(overhead.median());
    }

    @Test
    void leavesTheCallersArrayUnsortedAndRefusesNoValues() {
        double[] values = {3, 1, 2};
        MedianSummary.of(values);

        assertThat(values).containsExactly(3, 1, 2);
        assertThatThrownBy(() -> MedianSummary.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
