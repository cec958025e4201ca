package dev.hovle.tools.cli;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.tools.bench.OverheadReport;
import dev.hovle.tools.bench.PipelineBenchmark;
import dev.hovle.tools.bench.RoundComparison;
import dev.hovle.tools.bench.ServingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle bench-pipeline}: the streaming job's overhead against its engine alone, in many short ABBA rounds. */
@Command(name = "bench-pipeline", description = {"Throughput of the whole streaming job (Kafka in, exactly-once "
        + "Kafka out) against its engine alone, same requests, model and batch policy, in many short rounds "
        + "alternated ABBA; reports the median pipeline/engine ratio with its spread and 95% confidence interval."})
final class BenchPipelineCommand implements Callable<Integer> {

    @Option(names = "--model", description = "snapshot directory (default: a random one of --size under work/models)")
    Path model;

    @Option(names = "--size", defaultValue = "tiny", description = "random model size when --model is not given "
            + "(default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--requests", defaultValue = "40", description = "caption requests per run (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--max-batch", defaultValue = "8", description = "engine batch (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--token-budget", defaultValue = "256", description = "engine step budget (default ${DEFAULT-VALUE})")
    int tokenBudget;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "(default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--rounds", defaultValue = "30", description = "measured rounds, each one engine and one pipeline "
            + "run (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warm-up-rounds", defaultValue = "2", description = "rounds run first and not counted "
            + "(default ${DEFAULT-VALUE})")
    int warmUpRounds;

    @Option(names = "--verbose", description = "print each run's figures as it ends")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        Path dir = model != null ? model : Path.of("work", "models", size);
        if (model == null && !Files.exists(dir.resolve("config.json"))) {
            SnapshotInitializer.create(dir, ModelSize.named(size), TensorDtype.F32, PixelShuffleLocation.PRE, 0);
        }
        List<VlmRequest> workload = PipelineBenchmark.requests(requests, 42);
        System.out.printf(Locale.ROOT, "model %s, %d caption requests a run (96x72 images inline), max batch %d, token "
                + "budget %d, %d new tokens at most, greedy; %d rounds after %d warm-up rounds, ABBA%n", dir, requests,
                maxBatch, tokenBudget, maxNewTokens, rounds, warmUpRounds);
        List<RoundComparison> measured = new ArrayList<>();
        try (PipelineBenchmark bench = PipelineBenchmark.open(new ServingSettings(dir, maxBatch, tokenBudget,
                maxNewTokens))) {
            // Warm-up rounds let the JIT, the native libraries and the job's operators settle; they are not counted.
            for (int round = 1; round <= warmUpRounds + rounds; round++) {
                RoundComparison r = bench.round(round, workload);
                if (verbose) {
                    System.out.printf(Locale.ROOT, "%s round %d%n  %s%n  %s%n", round <= warmUpRounds ? "warm-up"
                            : "measured", round, r.engine(), r.pipeline());
                }
                if (round > warmUpRounds) {
                    measured.add(r);
                }
            }
        }
        OverheadReport report = new OverheadReport(measured);
        System.out.print(report.table());
        System.out.println(report.summary());
        return 0;
    }
}
