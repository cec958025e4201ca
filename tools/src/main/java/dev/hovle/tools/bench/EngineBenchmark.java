package dev.hovle.tools.bench;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/** Runs the batching engine at one batch size on random text prompts and reports its speed. */
final class EngineBenchmark {
    private EngineBenchmark() {}

    /**
     * One row of the table.
     *
     * @param batch sequences decoded together
     * @param prefillTokensPerSecond prompt positions per second while prefilling
     * @param ttftMillis mean time to first token over the batch (prompts prefill one after another)
     * @param decodeMsPerStep mean time of a step that decodes one token for each of the {@code batch} sequences
     */
    record Row(int batch, double prefillTokensPerSecond, double ttftMillis, double decodeMsPerStep) {
        double aggregateTokensPerSecond() {
            return batch * 1000 / decodeMsPerStep;
        }
    }

    static Row run(HoVLEModel model, int batch, int promptTokens, int newTokens, int prefillThreads,
            IntConsumer tokensDone) {
        int vocab = model.config().llm().vocabSize();
        // Ordinary ids only: the special tokens sit at the top of the vocabulary.
        int highestOrdinary = Math.min(vocab - 20, model.config().embedding().imgContextTokenId() - 10);
        SplittableRandom random = new SplittableRandom(batch);
        try (ContinuousBatchingEngine engine = ContinuousBatchingEngine.builder().setModel(model).optMaxBatch(batch)
                .optTokenBudget(promptTokens + batch + 1).optPrefillThreads(prefillThreads).optMaxSequenceLength(promptTokens + newTokens + batch + 2).build()) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                // Prompts join one per step; the earlier ones generate longer, so all finish together after
                // newTokens steps with the whole batch decoding.
                GenerationParams params = new GenerationParams(newTokens + batch - b, new int[0], SamplingParams.GREEDY);
                int[] ids = random.ints(promptTokens, 3, highestOrdinary).toArray();
                ids[0] = model.config().llm().bosTokenId();
                results.add(engine.submit(GenerationRequest.of("bench-" + b, ids, ids, null, params)
                        .withListener(t -> tokensDone.accept(1))).result());
            }
            double prefillSeconds = 0;
            double ttft = 0;
            for (CompletableFuture<GenerationResult> f : results) {
                GenerationResult r = f.join();
                prefillSeconds += r.timings().prefillNanos() / 1e9;
                ttft += r.timings().timeToFirstTokenNanos() / 1e6;
            }
            return new Row(batch, batch * promptTokens / prefillSeconds, ttft / batch,
                    engine.stats().meanDecodeStepNanos(batch) / 1e6);
        }
    }
}
