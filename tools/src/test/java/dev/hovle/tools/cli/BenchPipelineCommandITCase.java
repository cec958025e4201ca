package dev.hovle.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.testkit.LocalMetrics;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code hovle bench-pipeline} end to end on a tiny model: two tiny rounds give the whole report (not its numbers). */
class BenchPipelineCommandITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LocalMetrics.configure(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @Test
    void reportsEachRoundAndTheMedianRatioWithItsIntervalAndTheStepsCheck(@TempDir Path temp) {
        Path model = temp.resolve("tiny");
        assertThat(CliRun.of("init", "--size", "tiny", "--out", model.toString()).exit()).isZero();

        CliRun r = CliRun.of("bench-pipeline", "--model", model.toString(), "--rounds", "2", "--warm-up-rounds", "0",
                "--requests", "6", "--max-batch", "2", "--max-new-tokens", "4");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("| 1 | engine |", "| 2 | pipeline |",
                "pipeline / engine tokens/s, first to last completion:", "hand-over to last completion:",
                "time per engine step", "IQR", "min..max", "95% CI of the median", "2 rounds",
                "overhead (1 - median ratio):", "engine steps: the pipeline needed no more than the engine alone in",
                "first completion after hand-over");
    }
}
