package dev.hovle.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OverheadReportTest {

    /** A round where the pipeline takes {@code pipelineSeconds} for what the engine does in one second. */
    private static RoundComparison round(int round, double pipelineSeconds, long pipelineSteps) {
        RunFigures engine = new RunFigures("engine", 40, 1000, 1.0, 0.05, 100, 10.0);
        RunFigures pipeline = new RunFigures("pipeline", 40, 1000, pipelineSeconds, 0.2, pipelineSteps, 11.0);
        return new RoundComparison(round, RoundOrder.of(round).get(0), engine, pipeline);
    }

    @Test
    void summaryGivesMedianRatioOverheadWithIntervalAndTheStepsCheck() {
        // Pipeline / engine ratios 1/1.00 .. 1/1.08; the median round takes 1.04 s.
        List<RoundComparison> rounds = IntStream.rangeClosed(1, 9)
                .mapToObj(i -> round(i, 1 + 0.01 * (i - 1), i == 9 ? 101 : 100)).toList();

        String summary = new OverheadReport(rounds).summary();

        assertThat(summary).contains("first to last completion:    median 96.2%", "IQR", "min..max 92.6%..100.0%",
                "95% CI of the median 93.5%..99.0% (coverage 96.1%, 9 rounds)",
                "(inside the step): median 110.0%",
                "overhead (1 - median ratio): 3.8% (95% CI 1.0%..6.5%) first to last",
                "hand-over to last completion: median 84.7%",
                "no more than the engine alone in 8 of 9 rounds (901 vs 900 in all)",
                "median: engine 50.0 ms, pipeline 200.0 ms");
    }

    @Test
    void tableHasOneRowPerRoundSayingWhichSideWentFirst() {
        String table = new OverheadReport(List.of(round(1, 1.25, 100), round(2, 1.0, 100))).table();

        assertThat(table.lines()).hasSize(4);
        assertThat(table).contains("| 1 | engine | 1000 | 800 | 80.0% | 72.4% | 100, 100 | 10.00, 11.00 | 110.0% |",
                "| 2 | pipeline | 1000 | 1000 | 100.0% |");
    }
}
