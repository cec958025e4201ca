package dev.hovle.tools.cli;

import dev.hovle.tools.bench.ImageBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle bench-images}: Java's image preparation against Pillow + torchvision, per core, checked pixel-exact. */
@Command(name = "bench-images", description = {"Images prepared per second per core (decode, dynamic tiling, "
        + "bicubic resize, ImageNet normalisation) by Java and by the official Pillow + torchvision code, one thread "
        + "each, in alternated rounds; every image is first checked to come out exactly as Python's. Exit 1 when one "
        + "does not. Run it under `taskset -c N` to keep both sides, and the JVM's helper threads, on one core."})
final class BenchImagesCommand implements Callable<Integer> {

    private static final List<String> IMAGE_SUFFIXES = List.of(".png", ".jpg", ".jpeg", ".webp");

    @Option(names = "--images", arity = "1..*", description = "image files or folders of them (default: the golden "
            + "preprocessing inputs under -Dhovle.golden.dir or ../shared/golden, and samples/)")
    List<Path> images;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "interpreter with Debian's "
            + "python3-pil, python3-torchvision and python3-numpy (default ${DEFAULT-VALUE})")
    Path python;

    @Option(names = "--script", defaultValue = "tools/scripts/pillow_prepare.py", description = "(default "
            + "${DEFAULT-VALUE})")
    Path script;

    @Option(names = "--max-tiles", defaultValue = "12", description = "max_num of the tiling (default ${DEFAULT-VALUE})")
    int maxTiles;

    @Option(names = "--tile-size", defaultValue = "448", description = "tile side (default ${DEFAULT-VALUE})")
    int tileSize;

    @Option(names = "--rounds", defaultValue = "30", description = "timed rounds per side (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--repeats", defaultValue = "1", description = "preparations of each image per round "
            + "(default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--warm-up", defaultValue = "5", description = "seconds of untimed Java preparation first "
            + "(default ${DEFAULT-VALUE})")
    double warmUpSeconds;

    @Override
    public Integer call() throws Exception {
        List<Path> files = images != null ? expand(images) : defaultImages();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no images found: pass --images FILE|DIR...");
        }
        ImageBench.Settings settings = new ImageBench.Settings(files, python, script, maxTiles, tileSize, rounds,
                repeats, warmUpSeconds);
        boolean exact = ImageBench.run(settings, System.out, System.err);
        if (!exact) {
            System.err.printf(Locale.ROOT, "bench-images: Java's preparation differs from Python's (see parity)%n");
        }
        return exact ? 0 : 1;
    }

    private static List<Path> defaultImages() throws IOException {
        Path golden = Path.of(System.getProperty("hovle.golden.dir", "../shared/golden"), "preprocess");
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(golden)) {
            try (Stream<Path> cases = Files.list(golden)) {
                cases.map(dir -> dir.resolve("input.png")).filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        if (Files.isDirectory(Path.of("samples"))) {
            files.addAll(expand(List.of(Path.of("samples"))));
        }
        return files;
    }

    /** Files as given; folders replaced by their image files, sorted by name. */
    private static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.isDirectory(path)) {
                files.add(path);
                continue;
            }
            try (Stream<Path> entries = Files.list(path)) {
                entries.filter(Files::isRegularFile).filter(BenchImagesCommand::isImageName).sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_SUFFIXES.stream().anyMatch(name::endsWith);
    }
}
