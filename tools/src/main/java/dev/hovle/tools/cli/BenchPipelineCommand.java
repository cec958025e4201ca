package dev.hovle.tools.cli;

import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.tools.bench.PipelineBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle bench-pipeline}: the streaming job's throughput against the engine alone, rounds alternated. */
@Command(name = "bench-pipeline", description = {"Throughput of the whole streaming job (Kafka in, exactly-once "
        + "Kafka out) against its engine alone, same requests and batch policy; engine and pipeline runs alternate "
        + "so drift in the machine's speed hits both."})
final class BenchPipelineCommand implements Callable<Integer> {

    @Option(names = "--model", description = "snapshot directory (default: a random one of --size under work/models)")
    Path model;

    @Option(names = "--size", defaultValue = "tiny", description = "random model size when --model is not given "
            + "(default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--requests", defaultValue = "300", description = "caption requests per run (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--max-batch", defaultValue = "8", description = "engine batch (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--token-budget", defaultValue = "256", description = "engine step budget (default ${DEFAULT-VALUE})")
    int tokenBudget;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "(default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--rounds", defaultValue = "2", description = "engine/pipeline pairs (default ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        Path dir = model != null ? model : Path.of("work", "models", size);
        if (model == null && !Files.exists(dir.resolve("config.json"))) {
            SnapshotInitializer.create(dir, ModelSize.named(size), TensorDtype.F32, PixelShuffleLocation.PRE, 0);
        }
        PipelineBenchmark bench = new PipelineBenchmark(dir, maxBatch, tokenBudget, maxNewTokens);
        List<VlmRequest> workload = PipelineBenchmark.requests(requests, 42);
        System.out.printf(Locale.ROOT, "model %s, %d caption requests (96x72 images inline), max batch %d, token budget "
                + "%d, %d new tokens at most, greedy%n", dir, requests, maxBatch, tokenBudget, maxNewTokens);
        // A first engine run warms up the JIT and the native libraries; it is not counted.
        System.out.println("warm-up   " + bench.engine(workload.subList(0, Math.min(workload.size(), 4 * maxBatch))));
        double engineTotal = 0;
        double pipelineTotal = 0;
        for (int round = 1; round <= rounds; round++) {
            PipelineBenchmark.Figures engine = bench.engine(workload);
            PipelineBenchmark.Figures pipeline = bench.pipeline(workload);
            System.out.println(engine);
            System.out.println(pipeline);
            System.out.printf(Locale.ROOT, "round %d: pipeline/engine %.1f%% of the tokens/s; engine steps %d vs %d "
                    + "(%s), %.2f vs %.2f ms per step%n", round,
                    100 * pipeline.tokensPerSecond() / engine.tokensPerSecond(), pipeline.steps(), engine.steps(),
                    pipeline.steps() <= engine.steps() ? "batches as full as the engine alone" : "emptier batches",
                    pipeline.meanStepMillis(), engine.meanStepMillis());
            engineTotal += engine.tokensPerSecond();
            pipelineTotal += pipeline.tokensPerSecond();
        }
        System.out.printf(Locale.ROOT, "pipeline / engine throughput (tokens/s, mean of %d rounds): %.1f%% "
                + "(overhead %.1f%%)%n", rounds, 100 * pipelineTotal / engineTotal, 100 * (1 - pipelineTotal / engineTotal));
        return 0;
    }
}
