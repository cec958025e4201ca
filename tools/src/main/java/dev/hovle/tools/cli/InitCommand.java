package dev.hovle.tools.cli;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle init}: a randomly initialised snapshot in the released layout, so everything runs offline. */
@Command(name = "init", description = "Create a randomly initialised HoVLE snapshot (config.json, safetensors, "
        + "tokenizer files) in the released layout.")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--size", required = true, description = "tiny, small, medium or 2.6b (the released shape)")
    String size;

    @Option(names = "--out", required = true, description = "directory to write")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "on-disk dtype: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    DiskDtype dtype;

    @Option(names = "--placement", defaultValue = "pre", description = "pixel-shuffle projector before (pre, HoVLE) "
            + "or after (post, HoVLE-HD) the holistic layers")
    String placement;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights")
    long seed;

    @Override
    public Integer call() throws Exception {
        ModelSize modelSize = ModelSize.named(size);
        long started = System.nanoTime();
        System.out.printf(Locale.ROOT, "writing %s (%,d parameters, %s) to %s%n", modelSize.name(),
                modelSize.parameterCount(), dtype, out);
        HoVLEConfig config = SnapshotInitializer.create(out, modelSize,
                dtype.tensorDtype(),
                PixelShuffleLocation.valueOf(placement.toUpperCase(Locale.ROOT)), seed);
        System.out.printf(Locale.ROOT, "done in %.1f s: %d+%d layers, width %d, vocab %d, %dpx tiles%n",
                (System.nanoTime() - started) / 1e9, config.embedding().transformer().numLayers(),
                config.llm().transformer().numLayers(), config.llm().transformer().hiddenSize(), config.llm().vocabSize(),
                config.imageSize());
        return 0;
    }
}
