package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Locates and reads the test fixtures: the shared golden set and this package's conversion fixtures. */
final class Fixtures {

    private Fixtures() {}

    /** The golden directory: system property {@code hovle.golden.dir}, else {@code ../shared/golden} from the repo. */
    static Path goldenDir() {
        String configured = System.getProperty("hovle.golden.dir");
        Path dir = configured != null ? Path.of(configured) : repoRoot().resolve("../shared/golden");
        assertThat(dir.resolve("README.md")).as("golden fixtures (set -Dhovle.golden.dir)").exists();
        return dir.normalize();
    }

    /** Reads a test resource under {@code vision/}. */
    static byte[] resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/vision/" + name)) {
            assertThat(in).as("test resource vision/" + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an 8-bit RGB PNG written by Pillow through ImageIO's raw raster (no colour management), independently
     * of the code under test.
     */
    static RgbImage readRgbPng(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(png));
            Raster raster = image.getRaster();
            assertThat(raster.getNumBands()).as("expected files are 8-bit RGB").isEqualTo(3);
            int[] samples = raster.getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
            byte[] rgb = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                rgb[i] = (byte) samples[i];
            }
            return new RgbImage(image.getWidth(), image.getHeight(), rgb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RgbImage readRgbPng(Path file) {
        try {
            return readRgbPng(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the number of pixels whose R, G or B differ, and the largest channel difference, as "n px, max d". */
    static String difference(RgbImage actual, RgbImage expected) {
        byte[] a = actual.rgb();
        byte[] e = expected.rgb();
        int pixels = 0;
        int max = 0;
        for (int p = 0; p < a.length; p += 3) {
            int d = 0;
            for (int c = 0; c < 3; c++) {
                d = Math.max(d, Math.abs((a[p + c] & 0xFF) - (e[p + c] & 0xFF)));
            }
            pixels += d > 0 ? 1 : 0;
            max = Math.max(max, d);
        }
        return pixels + " px differ, max " + max;
    }

    /** Mean absolute difference over all R, G, B samples. */
    static double meanAbsoluteDifference(RgbImage actual, RgbImage expected) {
        byte[] a = actual.rgb();
        byte[] e = expected.rgb();
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (e[i] & 0xFF));
        }
        return (double) sum / a.length;
    }

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("model")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
