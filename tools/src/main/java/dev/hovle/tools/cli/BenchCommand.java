package dev.hovle.tools.cli;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.RandomSnapshot;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.tools.bench.LlamaCppComparison;
import dev.hovle.tools.bench.ModelBench;
import dev.hovle.tools.bench.SoakBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hovle bench}: prefill, TTFT, decode and aggregate speed per batch size, beside this machine's floors. */
@Command(name = "bench", description = "Benchmark the batching engine: prefill tok/s, time to first token, decode "
        + "ms/step and aggregate tok/s per batch size, beside the memory-bandwidth and matmul floors measured here.")
final class BenchCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", description = "snapshot directory") Path model;
        @Option(names = "--size", description = "a random model of this size: " + "tiny, small, medium, 2.6b") String size;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", description = "batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--prompt-tokens", defaultValue = "256", description = "prompt length (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "32", description = "tokens generated per sequence (default ${DEFAULT-VALUE})")
    int newTokens;

    @Option(names = "--soak", defaultValue = "0", description = "instead of the table: run this many requests through "
            + "the engine and report resident memory after the first 100 and at the end")
    int soak;

    @Option(names = "--compare-llamacpp", paramLabel = "FILE", description = "instead of the table: alternate "
            + "llama.cpp's llama-bench on this F32/F16/BF16 GGUF with this model's batch-1 decode and print both "
            + "effective bandwidths (weight bytes read per token / time per token) and their ratio")
    Path compareLlamacpp;

    @Option(names = "--llama-bench", paramLabel = "PATH", defaultValue = "llama-bench",
            description = "llama.cpp's llama-bench binary for --compare-llamacpp (default: ${DEFAULT-VALUE} on PATH)")
    String llamaBench;

    @Option(names = "--rounds", defaultValue = "4", description = "llama.cpp/HoVLE alternations for "
            + "--compare-llamacpp (default ${DEFAULT-VALUE})")
    int rounds;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        runtime.applyThreads();
        LlamaCppComparison comparison = compareLlamacpp == null ? null // checked before the model loads
                : LlamaCppComparison.prepare(compareLlamacpp, llamaBench, runtime.threads, rounds);
        Path dir = source.model;
        Path temp = null;
        if (dir == null) {
            temp = Files.createTempDirectory("hovle-bench-");
            System.err.println("bench: writing a random " + source.size + " snapshot to " + temp);
            dir = temp;
            RandomSnapshot.write(dir, ModelSize.named(source.size), TensorDtype.F32, PixelShuffleLocation.PRE, 0);
        }
        try (HoVLEModel model = HoVLEModel.load(dir, runtime.resolveDevice(), runtime.dataType())) {
            String title = String.format("hovle bench: %s, %s, %s, %d prompt + %d new tokens, %d thread(s), %s",
                    source.model != null ? source.model : source.size, model.device(), model.dtype(), promptTokens,
                    newTokens, runtime.threads, runtime.prefillThreads > 0
                            ? runtime.prefillThreads + " for prefill" : "same for prefill");
            if (comparison != null) {
                comparison.run(model, String.valueOf(source.model != null ? source.model : source.size),
                        runtime.prefillThreads, System.out, System.err);
            } else if (soak > 0) {
                SoakBenchmark.run(model, soak, batches.get(batches.size() - 1), System.out, System.err);
            } else {
                ModelBench.run(model, title, batches, promptTokens, newTokens, runtime.prefillThreads, System.out, System.err);
            }
        } finally {
            if (temp != null) {
                try (var files = Files.list(temp)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(temp);
            }
        }
        return 0;
    }
}
