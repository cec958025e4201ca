package dev.hovle.model.dataset.shapes;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Paints a {@link ShapeScene} in pure Java (no platform rasteriser, so the pixels depend only on the scene) and
 * encodes it as an 8-bit RGB PNG. Shapes get a dark outline; edges are anti-aliased by 4×4 supersampling.
 */
final class SceneRenderer {
    private static final int SUPERSAMPLING = 4;
    private static final int[] OUTLINE = {25, 25, 25};

    private SceneRenderer() {}

    /** The scene as PNG bytes. */
    static byte[] png(ShapeScene scene) {
        int[] rgb = render(scene);
        BufferedImage image = new BufferedImage(scene.size(), scene.size(), BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, scene.size(), scene.size(), rgb, 0, scene.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a PNG in memory", e);
        }
        return out.toByteArray();
    }

    /** Packed 0xRRGGBB pixels, row-major. */
    static int[] render(ShapeScene scene) {
        int size = scene.size();
        float[][] canvas = background(scene.background(), size);
        for (PlacedShape shape : scene.shapes()) {
            // A dark outline, then the fill inset by its width: the silhouette reads the same whatever the colour.
            double outline = Math.max(1.0, scene.size() / 50.0);
            paint(canvas, size, shape, OUTLINE, shape.halfSize());
            paint(canvas, size, shape, shape.colour().rgb(), shape.halfSize() - outline);
        }
        int[] packed = new int[size * size];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = channel(canvas[0][i]) << 16 | channel(canvas[1][i]) << 8 | channel(canvas[2][i]);
        }
        return packed;
    }

    private static float[][] background(Background bg, int size) {
        float[][] canvas = new float[3][size * size];
        double cos = Math.cos(bg.angle());
        double sin = Math.sin(bg.angle());
        double reach = (Math.abs(cos) + Math.abs(sin)) * size;
        SplittableRandom noise = new SplittableRandom(bg.noiseSeed());
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // Position along the gradient direction, 0 at one corner and 1 at the opposite one.
                double t = ((x - size / 2.0) * cos + (y - size / 2.0) * sin) / reach + 0.5;
                for (int c = 0; c < 3; c++) {
                    double value = bg.from()[c] + (bg.to()[c] - bg.from()[c]) * t;
                    canvas[c][y * size + x] = (float) (value + bg.noise() * (2 * noise.nextDouble() - 1));
                }
            }
        }
        return canvas;
    }

    private static void paint(float[][] canvas, int size, PlacedShape shape, int[] rgb, double half) {
        int x0 = Math.max(0, (int) Math.floor(shape.centreX() - half));
        int x1 = Math.min(size - 1, (int) Math.ceil(shape.centreX() + half));
        int y0 = Math.max(0, (int) Math.floor(shape.centreY() - half));
        int y1 = Math.min(size - 1, (int) Math.ceil(shape.centreY() + half));
        int samples = SUPERSAMPLING * SUPERSAMPLING;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int inside = 0;
                for (int sy = 0; sy < SUPERSAMPLING; sy++) {
                    for (int sx = 0; sx < SUPERSAMPLING; sx++) {
                        double u = (x + (sx + 0.5) / SUPERSAMPLING - shape.centreX()) / half;
                        double v = (y + (sy + 0.5) / SUPERSAMPLING - shape.centreY()) / half;
                        if (shape.kind().covers(u, v)) {
                            inside++;
                        }
                    }
                }
                if (inside > 0) {
                    float coverage = (float) inside / samples;
                    for (int c = 0; c < 3; c++) {
                        int i = y * size + x;
                        canvas[c][i] = canvas[c][i] * (1 - coverage) + rgb[c] * coverage;
                    }
                }
            }
        }
    }

    private static int channel(float value) {
        return Math.max(0, Math.min(255, Math.round(value)));
    }
}
