package dev.hovle.model.dataset.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws random {@link ShapeScene}s: one to three shapes of distinct kinds and colours in distinct cells of a 2×2
 * grid, each at a random size (60 to 92% of its cell) and a random offset inside it, on a random light backdrop.
 *
 * <p>Why a grid of whole cells: HoVLE embeds a tile as one token per 28×28 block (14-pixel patches, 2×2 pixel
 * shuffle). When each shape lies within one token of a small model's 56-pixel tile, that token alone carries the
 * shape, and a model trained from scratch for minutes learns kinds, colours and relations; shapes straddling tokens
 * took it far longer. Why light backdrops: every colour is then darker than its surroundings and every shape has a
 * dark outline, so its silhouette shows the same way whatever its colour.
 */
final class SceneGenerator {
    /** The most shapes a scene has. */
    static final int MAX_SHAPES = 3;

    private SceneGenerator() {}

    static ShapeScene generate(SplittableRandom random, int size, int maxShapes) {
        int count = 1 + random.nextInt(maxShapes);
        List<ShapeKind> kinds = pick(random, ShapeKind.values(), count);
        List<ShapeColour> colours = pick(random, ShapeColour.values(), count);
        int[][] cells = cells(random, count);
        double cell = size / 2.0;
        List<PlacedShape> shapes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double half = cell / 2 * (0.6 + 0.32 * random.nextDouble());
            double room = cell / 2 - half - 1;
            double x = (cells[i][0] + 0.5) * cell + room * (2 * random.nextDouble() - 1);
            double y = (cells[i][1] + 0.5) * cell + room * (2 * random.nextDouble() - 1);
            shapes.add(new PlacedShape(kinds.get(i), colours.get(i), x, y, half, cells[i][0], cells[i][1]));
        }
        return new ShapeScene(size, shapes, background(random));
    }

    /**
     * (column, row) of each shape in caption order: any cell for one shape; for two, a row (left first) or a column
     * (top first); for three, a corner cell then its row neighbour and its column neighbour.
     */
    private static int[][] cells(SplittableRandom random, int count) {
        if (count == 1) {
            return new int[][] {{random.nextInt(2), random.nextInt(2)}};
        }
        if (count == 2) {
            int line = random.nextInt(2);
            return random.nextBoolean() ? new int[][] {{0, line}, {1, line}} : new int[][] {{line, 0}, {line, 1}};
        }
        int column = random.nextInt(2);
        int row = random.nextInt(2);
        return new int[][] {{column, row}, {1 - column, row}, {column, 1 - row}};
    }

    private static Background background(SplittableRandom random) {
        int base = 180 + random.nextInt(56);
        int shift = random.nextInt(31) - 15;
        int[] from = new int[3];
        int[] to = new int[3];
        for (int c = 0; c < 3; c++) {
            int tint = random.nextInt(19) - 9; // a faint tint keeps the tone muted, far from every shape colour
            from[c] = Math.min(255, base + tint);
            to[c] = Math.max(0, Math.min(255, base + tint + shift));
        }
        return new Background(from, to, 2 * Math.PI * random.nextDouble(), 1 + 2.5 * random.nextDouble(),
                random.nextLong());
    }

    private static <T> List<T> pick(SplittableRandom random, T[] values, int count) {
        List<T> pool = new ArrayList<>(List.of(values));
        List<T> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(pool.remove(random.nextInt(pool.size())));
        }
        return out;
    }
}
