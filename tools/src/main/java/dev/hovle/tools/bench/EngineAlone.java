package dev.hovle.tools.bench;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.ContinuousBatchingEngine;
import dev.hovle.model.generate.EngineStats;
import dev.hovle.model.generate.GenerationRequest;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.operators.inference.VlmRequests;
import dev.hovle.operators.serving.EngineFactory;
import dev.hovle.schemas.VlmRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The engine alone, loaded once and kept across rounds: each run prepares its prompts first, untimed, then submits
 * every request at once, the best case the pipeline is compared with.
 */
final class EngineAlone implements AutoCloseable {
    private final ServingSettings settings;
    private final HoVLETokenizer tokenizer;
    private final HoVLEModel model;
    private final ContinuousBatchingEngine engine;
    private final PromptPreparer preparer;

    private EngineAlone(ServingSettings settings, HoVLETokenizer tokenizer, HoVLEModel model,
            ContinuousBatchingEngine engine) throws Exception {
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.model = model;
        this.engine = engine;
        this.preparer = PromptPreparer.builder().setConfig(HoVLEConfig.read(settings.modelDir()))
                .setTokenizer(tokenizer).build();
    }

    /** Loads the model and starts the engine the job would build from the same settings. */
    static EngineAlone open(ServingSettings settings) throws Exception {
        HoVLETokenizer tokenizer = HoVLETokenizer.load(settings.modelDir());
        HoVLEModel model = HoVLEModel.load(settings.modelDir());
        ContinuousBatchingEngine engine = (ContinuousBatchingEngine) EngineFactory.continuousBatching(
                settings.maxBatch(), settings.tokenBudget(), settings.maxSequenceLength()).create(model, "bench");
        return new EngineAlone(settings, tokenizer, model, engine);
    }

    /** Prepares the prompts, then times the engine on all of them. */
    RunFigures run(List<VlmRequest> requests) throws Exception {
        List<GenerationRequest> prepared = new ArrayList<>();
        for (VlmRequest r : requests) {
            List<byte[]> images = r.getImages().stream().map(i -> bytes(i.getData())).toList();
            prepared.add(preparer.prepare(images, VlmRequests.question(r, PromptPreparer.CAPTION_QUESTION,
                    images.size()), List.of()).toRequest(r.getRequestId(), preparer.greedy(settings.maxNewTokens())));
        }
        long[] done = new long[prepared.size()];
        int[] tokens = new int[prepared.size()];
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        StepCount before = steps();
        long start = System.nanoTime();
        for (int i = 0; i < prepared.size(); i++) {
            int index = i;
            futures.add(engine.submit(prepared.get(i)).result().whenComplete((result, error) -> {
                done[index] = System.nanoTime();
                tokens[index] = result == null ? 0 : result.tokens().length;
            }));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        return RunFigures.of("engine", start, done, tokens, 1e-9, steps().since(before));
    }

    private StepCount steps() {
        EngineStats stats = engine.stats();
        return new StepCount(stats.steps(), stats.stepNanos() / 1e6);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    @Override
    public void close() throws Exception {
        try (tokenizer; model; engine) {
            // closes the engine first, then the model it ran on, then the tokenizer
        }
    }
}
