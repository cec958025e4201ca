package dev.hovle.tools.bench;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Many requests of varied lengths through the batching engine, with resident memory and live native arrays read
 * after the first 100 and at the end: a long run must not grow.
 */
public final class SoakBenchmark {
    private SoakBenchmark() {}

    private static long heapUsedBytes() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void run(HoVLEModel model, int requests, int maxBatch, PrintStream out, PrintStream progress)
            throws IOException {
        int vocab = model.config().llm().vocabSize();
        int highestOrdinary = Math.min(vocab - 20, model.config().embedding().imgContextTokenId() - 10);
        SplittableRandom random = new SplittableRandom(1);
        long rssAfter100 = 0;
        int arraysAfter100 = 0;
        long started = System.nanoTime();
        try (ContinuousBatchingEngine engine = ContinuousBatchingEngine.builder().setModel(model).optMaxBatch(maxBatch)
                .optTokenBudget(128).optMaxSequenceLength(256).build()) {
            Deque<CompletableFuture<GenerationResult>> inFlight = new ArrayDeque<>();
            for (int i = 0; i < requests; i++) {
                int[] ids = random.ints(8 + random.nextInt(100), 3, highestOrdinary).toArray();
                inFlight.add(engine.submit(GenerationRequest.of("soak-" + i, ids, ids, null,
                        GenerationParams.greedy(1 + random.nextInt(16)))).result());
                // Keep the engine busy but the queue short: at most two batches outstanding.
                while (inFlight.size() >= 2 * maxBatch) {
                    inFlight.poll().join();
                }
                if (i + 1 == 100) {
                    inFlight.forEach(CompletableFuture::join);
                    inFlight.clear();
                    rssAfter100 = ModelBench.residentBytes();
                    arraysAfter100 = model.liveNativeArrays();
                }
                if ((i + 1) % 250 == 0) {
                    progress.printf(Locale.ROOT, "soak: %d/%d requests, %.0f s, resident %.1f MiB, heap used %.1f MiB,"
                            + " live native arrays %d%n", i + 1, requests, (System.nanoTime() - started) / 1e9,
                            ModelBench.residentBytes() / 1048576.0, heapUsedBytes() / 1048576.0, model.liveNativeArrays());
                }
            }
            inFlight.forEach(CompletableFuture::join);
        }
        long rssEnd = ModelBench.residentBytes();
        out.printf(Locale.ROOT, "soak: %d requests, batch %d: resident %.1f MiB after 100, %.1f MiB after %d (%+.1f%%); "
                + "live native arrays %d after 100, %d at the end%n", requests, maxBatch, rssAfter100 / 1048576.0,
                rssEnd / 1048576.0, requests, 100.0 * (rssEnd - rssAfter100) / rssAfter100, arraysAfter100,
                model.liveNativeArrays());
    }
}
