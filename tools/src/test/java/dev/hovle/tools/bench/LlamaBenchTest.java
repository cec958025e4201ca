package dev.hovle.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaBenchTest {

    /** The shape of {@code llama-bench -p 0 -n 16 -r 1 -o json} output (fields trimmed). */
    private static final String DECODE_JSON = """
            [
              {
                "build_commit": "c392e509",
                "build_number": 4753,
                "cpu_info": "AMD EPYC",
                "model_type": "internlm2 1B all F32",
                "n_threads": 2,
                "n_prompt": 0,
                "n_gen": 16,
                "avg_ns": 5000000000,
                "avg_ts": 3.200000,
                "stddev_ts": 0.000000,
                "samples_ns": [ 5000000000 ],
                "samples_ts": [ 3.2 ]
              }
            ]
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheDecodeRateCpuAndBuild() throws IOException {
        LlamaBench.Result result = LlamaBench.parse(DECODE_JSON, "llama-bench");

        assertThat(result.tokensPerSecond()).isEqualTo(3.2);
        assertThat(result.cpu()).isEqualTo("AMD EPYC");
        assertThat(result.build()).isEqualTo("c392e509 (build 4753)");
    }

    @Test
    void outputWithoutADecodeEntryIsAnError() {
        assertThatThrownBy(() -> LlamaBench.parse(DECODE_JSON.replace("\"n_gen\": 16", "\"n_gen\": 0"), "llama-bench"))
                .hasMessageContaining("no decode result");
        assertThatThrownBy(() -> LlamaBench.parse("error: failed to load model", "llama-bench -m x"))
                .hasMessageContaining("llama-bench -m x printed no JSON");
    }

    @Test
    void aMissingBinaryFailsBeforeAnythingRuns() throws IOException {
        String missing = dir.resolve("llama-bench").toString();
        assertThatThrownBy(() -> new LlamaBench(missing, 2).requireRunnable()).isInstanceOf(IOException.class)
                .hasMessageContaining("llama-bench not found or not executable: '" + missing + "'")
                .hasMessageContaining("--llama-bench");
        Path notExecutable = Files.createFile(dir.resolve("plain-file"));
        assertThatThrownBy(() -> new LlamaBench(notExecutable.toString(), 2).requireRunnable())
                .hasMessageContaining("not executable");
        assertThatThrownBy(() -> new LlamaBench("no-such-llama-bench-on-path", 2).requireRunnable())
                .hasMessageContaining("'no-such-llama-bench-on-path'");
    }

    @Test
    void theRatioSummaryUsesTheMedian() {
        assertThat(ComparisonTable.median(new double[] {0.5, 0.7, 0.9})).isEqualTo(0.7);
        assertThat(ComparisonTable.median(new double[] {0.5, 0.7, 0.8, 0.9})).isEqualTo(0.75);
    }
}
