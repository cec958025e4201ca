package dev.hovle.sql.model;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.generate.GenerationEngine;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.operators.serving.EngineFactory;
import java.nio.file.Path;
import java.util.List;

/** What a model answers greedily, computed outside Flink with one request alone: the truth ML_PREDICT must match. */
final class GreedyReference {
    private GreedyReference() {}

    /** The greedy answer of the snapshot in {@code modelDir} to {@code question} about {@code image}. */
    static String answer(Path modelDir, byte[] image, String question, int maxNewTokens) throws Exception {
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(modelDir); HoVLEModel model = HoVLEModel.load(modelDir);
                GenerationEngine engine = EngineFactory.sequential().create(model, "reference")) {
            PromptPreparer preparer = PromptPreparer.builder().setConfig(HoVLEConfig.read(modelDir))
                    .setTokenizer(tokenizer).build();
            var request = preparer.prepare(List.of(image), question, List.of())
                    .toRequest("reference", preparer.greedy(maxNewTokens));
            return tokenizer.decode(engine.submit(request).result().join().tokens()).strip();
        }
    }
}
