package dev.hovle.testkit;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Draws simple scenes of coloured shapes as real PNG or JPEG files, with questions one could ask about them. */
public final class SyntheticImages {
    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange"};
    private static final Color[] PAINTS = {Color.RED, new Color(0, 160, 0), Color.BLUE, Color.YELLOW,
        new Color(128, 0, 160), Color.ORANGE};
    private static final String[] SHAPES = {"circle", "square", "triangle"};

    private final Random random;

    /**
     * A scene: the encoded image, what it shows, and questions about it.
     *
     * @param data the encoded file
     * @param mediaType {@code image/png} or {@code image/jpeg}
     * @param description what is drawn, left to right
     * @param questions questions about it
     */
    public record Scene(byte[] data, String mediaType, String description, List<String> questions) {}

    /** A generator whose scenes follow from {@code seed}. */
    public SyntheticImages(long seed) {
        this.random = new Random(seed);
    }

    /** A scene of one to three shapes on a light background, {@code width} by {@code height}. */
    public Scene next(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(235 + random.nextInt(20), 235 + random.nextInt(20), 235 + random.nextInt(20)));
        g.fillRect(0, 0, width, height);
        int count = 1 + random.nextInt(3);
        int cell = width / count;
        List<String> parts = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int colour = random.nextInt(COLOURS.length);
            String shape = SHAPES[random.nextInt(SHAPES.length)];
            int size = Math.min(cell, height) * 2 / 3;
            int x = i * cell + (cell - size) / 2;
            int y = (height - size) / 2;
            g.setColor(PAINTS[colour]);
            switch (shape) {
                case "circle" -> g.fillOval(x, y, size, size);
                case "square" -> g.fillRect(x, y, size, size);
                default -> g.fillPolygon(new int[] {x, x + size / 2, x + size}, new int[] {y + size, y, y + size}, 3);
            }
            parts.add("a " + COLOURS[colour] + " " + shape);
            questions.add("What colour is the " + shape + "?");
        }
        g.dispose();
        questions.add("How many shapes are in the picture?");
        questions.add("What is on the left?");
        boolean jpeg = random.nextInt(3) == 0;
        return new Scene(encode(image, jpeg ? "jpeg" : "png"), jpeg ? "image/jpeg" : "image/png",
                String.join(", ", parts), List.copyOf(questions));
    }

    /** A random question of {@code scene}. */
    public String question(Scene scene) {
        return scene.questions().get(random.nextInt(scene.questions().size()));
    }

    /** A PNG whose pixel data is cut off: decoders recognise the format and then fail. */
    public byte[] corruptPng(int width, int height) {
        byte[] full = encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png");
        return Arrays.copyOf(full, Math.min(full.length, 60));
    }

    /** Encodes {@code image} as {@code format} (png, jpeg or gif). */
    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
