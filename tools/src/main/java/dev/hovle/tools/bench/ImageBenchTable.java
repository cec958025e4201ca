package dev.hovle.tools.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The {@code hovle bench-images} table: images/s per core of each side and their ratio, per image and overall. */
final class ImageBenchTable {
    private ImageBenchTable() {}

    /** Median and quartiles of per-round figures: the box is shared, so the spread is part of the result. */
    record Spread(double median, double low, double high) {

        static Spread of(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Spread(quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75));
        }

        private static double quantile(double[] sorted, double q) {
            double at = q * (sorted.length - 1);
            int below = (int) Math.floor(at);
            int above = Math.min(below + 1, sorted.length - 1);
            return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
        }

        String format(String pattern) {
            return String.format(Locale.ROOT, pattern + " (" + pattern + "–" + pattern + ")", median, low, high);
        }
    }

    static void print(PrintStream out, ImageBench.Settings settings, ReferenceDump dump,
            List<PreparationComparison.Verdict> verdicts, ImagePreparationBenchmark.Timings timings) throws IOException {
        out.printf(Locale.ROOT, "%s; %d CPU(s) visible to the JVM; Java %s; %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), dump.versions());
        out.printf(Locale.ROOT, "max_num %d, tile %d; one thread each; median (quartiles) of %d rounds per side, %d "
                + "preparation(s) of each image per round, sides alternated%n", settings.maxTiles(), settings.tileSize(),
                timings.java().length, timings.repeats());
        out.println("| image | size | grid → tiles | Java images/s/core | Pillow+torchvision images/s/core "
                + "| Java / Pillow | parity |");
        out.println("|---|---:|---:|---:|---:|---:|---|");
        int n = settings.images().size();
        for (int i = 0; i < n; i++) {
            int image = i;
            ReferenceDump.Image reference = dump.images().get(i);
            printRow(out, label(settings.images().get(i)), reference.width() + "x" + reference.height(),
                    reference.cols() + "x" + reference.rows() + " → " + reference.shape()[0],
                    timings, round -> round[image], verdicts.get(i).describe());
        }
        long exact = verdicts.stream().filter(PreparationComparison.Verdict::exact).count();
        printRow(out, "all images", "", "", timings, round -> Arrays.stream(round).sum() / n,
                exact + "/" + n + " exact");
        out.println("exact = same grid and shape, identical 8-bit tiles, bit-identical float32 pixel values.");
    }

    /** One row from the seconds per round that {@code secondsPerImage} picks out of each side's round. */
    private static void printRow(PrintStream out, String image, String size, String tiles,
            ImagePreparationBenchmark.Timings timings, ToDoubleFunction<double[]> secondsPerImage, String parity) {
        int rounds = timings.java().length;
        double[] java = new double[rounds];
        double[] pillow = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double javaSeconds = secondsPerImage.applyAsDouble(timings.java()[r]) / timings.repeats();
            double pillowSeconds = secondsPerImage.applyAsDouble(timings.pillow()[r]) / timings.repeats();
            java[r] = 1 / javaSeconds;
            pillow[r] = 1 / pillowSeconds;
            // Paired by round: the two sides of one round ran back to back, under the same load.
            ratio[r] = pillowSeconds / javaSeconds;
        }
        out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", image, size, tiles,
                Spread.of(java).format("%.1f"), Spread.of(pillow).format("%.1f"), Spread.of(ratio).format("%.2f"),
                parity);
    }

    /** The file name, with its folder for the golden fixtures' {@code <case>/input.png}. */
    private static String label(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return file.getFileName().toString().startsWith("input.") && parent != null
                ? parent.getFileName() + "/" + file.getFileName() : file.getFileName().toString();
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        return System.getProperty("os.arch");
    }
}
