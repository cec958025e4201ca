package dev.hovle.tools.bench;

import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Java's image preparation (decode, tile, resample, normalise: what the inference job does per image) timed on the
 * calling thread, in rounds that alternate with the official Pillow + torchvision preparation, and checked against it.
 */
final class ImagePreparationBenchmark {

    private final ImagePreprocessor preprocessor;
    private final List<Path> files;
    private final List<byte[]> encoded;
    /** Keeps the JIT from discarding results nobody reads. */
    private int sink;

    /** Reads the files into memory (the timed work starts from their bytes, as the Python side's does). */
    ImagePreparationBenchmark(List<Path> files, int maxTiles, int tileSize) throws IOException {
        this.preprocessor = ImagePreprocessor.builder().setTileSize(tileSize).optMaxTiles(maxTiles).build();
        this.files = List.copyOf(files);
        this.encoded = new ArrayList<>();
        for (Path file : files) {
            encoded.add(Files.readAllBytes(file));
        }
    }

    /** Timings of one alternated run: seconds per round and image, for each side. */
    record Timings(int repeats, double[][] java, double[][] pillow) {}

    List<Path> files() {
        return files;
    }

    /** Runs Java rounds for at least {@code seconds} (at least three), so the measured rounds run compiled code. */
    void warmUp(double seconds) throws InvalidImageException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int round = 0; round < 3 || System.nanoTime() < end; round++) {
            javaRound(1);
        }
    }

    /** Prepares every image {@code repeats} times and returns the seconds each image took in all. */
    double[] javaRound(int repeats) throws InvalidImageException {
        double[] seconds = new double[encoded.size()];
        for (int i = 0; i < encoded.size(); i++) {
            long start = System.nanoTime();
            for (int r = 0; r < repeats; r++) {
                float[] values = preprocessor.preprocess(encoded.get(i)).pixelValues();
                sink += Float.floatToRawIntBits(values[values.length - 1]);
            }
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return seconds;
    }

    /**
     * Runs {@code rounds} Java rounds and as many Pillow rounds, alternating which side goes first, so slow spells
     * of a shared machine fall on both sides alike.
     */
    Timings alternate(PillowProcess pillow, int rounds, int repeats) throws IOException, InvalidImageException {
        double[][] java = new double[rounds][];
        double[][] python = new double[rounds][];
        for (int round = 0; round < rounds; round++) {
            if (round % 2 == 0) {
                java[round] = javaRound(repeats);
                python[round] = pillow.round(repeats);
            } else {
                python[round] = pillow.round(repeats);
                java[round] = javaRound(repeats);
            }
        }
        return new Timings(repeats, java, python);
    }

    /** Compares Java's preparation of every image with the Python dump of the same files, in order. */
    List<PreparationComparison.Verdict> compare(ReferenceDump dump) throws IOException, InvalidImageException {
        if (dump.images().size() != encoded.size()) {
            throw new IllegalStateException("the dump has " + dump.images().size() + " images, expected " + encoded.size());
        }
        List<PreparationComparison.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            verdicts.add(PreparationComparison.compare(preprocessor.preprocess(encoded.get(i)), dump.images().get(i)));
        }
        return verdicts;
    }
}
