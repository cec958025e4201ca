package dev.hovle.tools.bench;

import dev.hovle.model.vision.PreprocessedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Whether Java prepared an image exactly as the official Python did. Exact means all three of: the same grid and
 * tensor shape, every 8-bit tile byte equal, and every float32 pixel value bit-equal (the golden README allows
 * nothing less once the tiles agree, since the float32 normalisation is then deterministic).
 */
final class PreparationComparison {
    private PreparationComparison() {}

    /**
     * The outcome for one image.
     *
     * @param sameShape same grid and {@code [n, 3, S, S]} shape; when false nothing else was compared
     * @param tileBytesDiffering tile bytes (one per channel sample) that differ
     * @param valuesDiffering pixel values whose float32 bits differ
     * @param maxAbsDifference largest |Java − Python| over the pixel values
     * @param firstDifference where the first difference is, or what differs in shape; empty when exact
     */
    record Verdict(boolean sameShape, long tileBytesDiffering, long valuesDiffering, double maxAbsDifference,
            String firstDifference) {

        boolean exact() {
            return sameShape && tileBytesDiffering == 0 && valuesDiffering == 0;
        }

        String describe() {
            if (exact()) {
                return "exact";
            }
            if (!sameShape) {
                return "SHAPE " + firstDifference;
            }
            return String.format(Locale.ROOT, "DIFF %d tile bytes, %d values (max %.3g), first at %s",
                    tileBytesDiffering, valuesDiffering, maxAbsDifference, firstDifference);
        }
    }

    static Verdict compare(PreprocessedImage actual, ReferenceDump.Image expected) throws IOException {
        long[] shape = actual.shape().getShape();
        if (actual.grid().cols() != expected.cols() || actual.grid().rows() != expected.rows()
                || !Arrays.equals(shape, expected.shape())) {
            return new Verdict(false, 0, 0, Double.NaN, "Java grid " + actual.grid() + " " + Arrays.toString(shape)
                    + ", Python grid " + expected.cols() + "x" + expected.rows() + " " + Arrays.toString(expected.shape()));
        }
        String first = "";
        long tileBytesDiffering = 0;
        byte[] tiles = expected.readTiles();
        int tileBytes = tiles.length / actual.numTiles();
        for (int t = 0; t < actual.numTiles(); t++) {
            byte[] rgb = actual.tiles().get(t).rgb();
            for (int i = 0; i < rgb.length; i++) {
                if (rgb[i] != tiles[t * tileBytes + i]) {
                    first = first.isEmpty() ? tileByteAt(t, i, actual.tileSize()) : first;
                    tileBytesDiffering++;
                }
            }
        }
        float[] values = actual.pixelValues();
        float[] reference = expected.readPixelValues();
        long valuesDiffering = 0;
        double maxAbs = 0;
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(reference[i])) {
                first = first.isEmpty() ? valueAt(i, actual.tileSize()) : first;
                valuesDiffering++;
                maxAbs = Math.max(maxAbs, Math.abs((double) values[i] - reference[i]));
            }
        }
        return new Verdict(true, tileBytesDiffering, valuesDiffering, maxAbs, first);
    }

    private static String tileByteAt(int tile, int index, int size) {
        int pixel = index / 3;
        return "tile " + tile + " (x " + pixel % size + ", y " + pixel / size + ", channel " + index % 3 + ")";
    }

    private static String valueAt(int index, int size) {
        int plane = size * size;
        int p = index % plane;
        return "pixel_values[" + index / (3 * plane) + ", " + index / plane % 3 + ", " + p / size + ", " + p % size + "]";
    }
}
