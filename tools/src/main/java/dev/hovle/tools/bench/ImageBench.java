package dev.hovle.tools.bench;

import dev.hovle.model.vision.InvalidImageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The {@code hovle bench-images} program: Python reference and dump, parity, alternated rounds, then the table. */
public final class ImageBench {
    private ImageBench() {}

    /**
     * What to run.
     *
     * @param images the image files, prepared in this order
     * @param python the interpreter that has Pillow and torchvision
     * @param script {@code tools/scripts/pillow_prepare.py}
     * @param maxTiles max_num of the dynamic tiling
     * @param tileSize tile edge S
     * @param rounds timed rounds per side
     * @param repeats preparations of each image per round
     * @param warmUpSeconds untimed Java preparation before the rounds
     */
    public record Settings(List<Path> images, Path python, Path script, int maxTiles, int tileSize, int rounds,
            int repeats, double warmUpSeconds) {

        public Settings {
            images = List.copyOf(images);
            if (images.isEmpty() || rounds < 1 || repeats < 1) {
                throw new IllegalArgumentException("need at least one image, round and repeat");
            }
            if (!Files.isRegularFile(script)) {
                throw new IllegalArgumentException("no Python script at " + script.toAbsolutePath()
                        + " (run from the checkout's root or pass --script tools/scripts/pillow_prepare.py)");
            }
        }
    }

    /** Runs the benchmark and prints its table; returns whether every image was prepared exactly as Python did. */
    public static boolean run(Settings settings, PrintStream out, PrintStream progress)
            throws IOException, InvalidImageException {
        ImagePreparationBenchmark java = new ImagePreparationBenchmark(settings.images(), settings.maxTiles(),
                settings.tileSize());
        Path dumpDir = Files.createTempDirectory("hovle-bench-images");
        try {
            progress.println("bench-images: starting " + settings.python() + " " + settings.script() + " ...");
            try (PillowProcess pillow = PillowProcess.start(settings.python(), settings.script(), settings.images(),
                    settings.maxTiles(), settings.tileSize(), dumpDir)) {
                ReferenceDump dump = ReferenceDump.read(dumpDir);
                List<PreparationComparison.Verdict> verdicts = java.compare(dump);
                progress.printf(Locale.ROOT, "bench-images: parity checked; Java warm-up %.0f s, then %d alternated "
                        + "rounds per side ...%n", settings.warmUpSeconds(), settings.rounds());
                java.warmUp(settings.warmUpSeconds());
                ImagePreparationBenchmark.Timings timings = java.alternate(pillow, settings.rounds(), settings.repeats());
                ImageBenchTable.print(out, settings, dump, verdicts, timings);
                return verdicts.stream().allMatch(PreparationComparison.Verdict::exact);
            }
        } finally {
            deleteTree(dumpDir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
