package dev.hovle.tools.cli;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.SamplingParams;
import dev.hovle.model.generate.SequentialEngine;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.tokenizer.StreamingDetokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hovle generate}: answers a question about images (or captions them), streaming the answer. */
@Command(name = "generate", description = "Caption images, or answer a question about them, printing the answer as it "
        + "streams and then prompt and generation speed.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "snapshot directory")
    Path model;

    @Option(names = "--image", arity = "0..*", description = "image files (PNG, JPEG, WebP), in prompt order")
    List<Path> images = new ArrayList<>();

    @Option(names = "--prompt", description = "the question; without it the images are captioned")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "default ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (default ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens, 0 for all (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-tiles", defaultValue = "0", description = "most tiles per image (default: the config's max_dynamic_patch)")
    int maxTiles;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        runtime.applyThreads();
        if (prompt == null && images.isEmpty()) {
            throw new IllegalArgumentException("nothing to do: give --image to caption, or --prompt (and images) to ask");
        }
        long loadStart = System.nanoTime();
        try (HoVLEModel hovle = HoVLEModel.load(model, runtime.resolveDevice(), runtime.dataType());
                HoVLETokenizer tokenizer = HoVLETokenizer.load(model);
                SequentialEngine engine = SequentialEngine.builder().setModel(hovle).build()) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            PromptPreparer preparer = PromptPreparer.builder().setConfig(hovle.config()).setTokenizer(tokenizer)
                    .optMaxTiles(maxTiles).build();
            List<byte[]> encoded = new ArrayList<>();
            for (Path image : images) {
                encoded.add(Files.readAllBytes(image));
            }
            String question = prompt != null ? prompt : PromptPreparer.CAPTION_QUESTION;
            PreparedPrompt prepared = preparer.prepare(encoded, question, List.of());
            GenerationParams params = temperature > 0
                    ? preparer.sampled(maxNewTokens, new SamplingParams(temperature, topK, topP, seed))
                    : preparer.greedy(maxNewTokens);
            StreamingDetokenizer streaming = new StreamingDetokenizer(tokenizer);
            GenerationResult result = engine.submit(prepared.toRequest("cli", params).withListener(token -> {
                System.out.print(streaming.push(token));
                System.out.flush();
            })).result().join();
            System.out.println(streaming.finish());
            double prefill = result.timings().prefillNanos() / 1e9;
            double decode = result.timings().decodeNanos() / 1e9;
            int generated = result.tokens().length;
            System.err.printf(Locale.ROOT, "%nload %.2f s | prompt %d tokens (%d tiles) in %.2f s: %.1f tokens/s | "
                    + "generation %d tokens in %.2f s: %.2f tokens/s (%.1f ms/token) | finish %s%n", loadSeconds,
                    result.promptTokens(), prepared.pixels() == null ? 0 : prepared.pixels().tiles(), prefill,
                    result.promptTokens() / prefill, generated, decode,
                    generated > 1 ? (generated - 1) / decode : 0.0, generated > 1 ? decode * 1000 / (generated - 1) : 0.0,
                    result.finishReason());
        }
        return 0;
    }
}
