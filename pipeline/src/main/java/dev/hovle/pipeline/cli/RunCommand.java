package dev.hovle.pipeline.cli;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.SequentialEngine;
import dev.hovle.model.prepare.PreparedPrompt;
import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.weights.TensorDtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle run}: the embedded default: caption the sample images with a model created locally, no download. */
@Command(name = "run", description = "Run HoVLE Stream on its embedded default: a tiny model created locally (no "
        + "download) captions the sample images.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--model", description = "snapshot directory (default: a tiny model created under work/models/tiny)")
    Path model;

    @Option(names = "--images", defaultValue = "samples", description = "folder of images to caption (default ${DEFAULT-VALUE})")
    Path images;

    @Override
    public Integer call() throws Exception {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        Path dir = model != null ? model : Path.of("work", "models", "tiny");
        if (model == null && !Files.exists(dir.resolve("config.json"))) {
            System.out.println("creating a tiny random HoVLE model in " + dir + " (no download) ...");
            SnapshotInitializer.create(dir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 0);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(images)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        try (HoVLEModel hovle = HoVLEModel.load(dir);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(dir);
                SequentialEngine engine = SequentialEngine.builder().setModel(hovle).optModelVersion(dir.toString()).build()) {
            PromptPreparer preparer = PromptPreparer.builder().setConfig(hovle.config()).setTokenizer(tokenizer).build();
            for (Path file : files) {
                PreparedPrompt prompt = preparer.prepare(List.of(Files.readAllBytes(file)), PromptPreparer.CAPTION_QUESTION,
                        List.of());
                GenerationResult r = engine.submit(prompt.toRequest(file.getFileName().toString(), preparer.greedy(24)))
                        .result().join();
                double ms = (r.timings().prefillNanos() + r.timings().decodeNanos()) / 1e6;
                System.out.printf(Locale.ROOT, "%-36s %6.0f ms  model %s  caption: %s%n", file.getFileName(), ms,
                        r.modelVersion(), preparer.decode(r.tokens()).strip());
            }
        }
        return 0;
    }
}
