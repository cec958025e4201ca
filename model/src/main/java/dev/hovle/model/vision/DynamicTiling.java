package dev.hovle.model.vision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * InternVL's dynamic tiling rules ({@code dynamic_preprocess} and {@code find_closest_aspect_ratio} of the official
 * helpers): which grids are candidates, in which order, and which one an image gets.
 */
final class DynamicTiling {

    private DynamicTiling() {}

    /**
     * Returns every (cols, rows) with {@code minTiles ≤ cols·rows ≤ maxTiles}, sorted by cols·rows; grids of
     * equal product come in the order the official code produces them (a Python set's, see {@link PythonSetOrder}).
     */
    static List<TileGrid> candidateGrids(int minTiles, int maxTiles) {
        PythonSetOrder set = new PythonSetOrder();
        // The official comprehension's loop nest, in its order: duplicates are offered again and ignored.
        for (int n = minTiles; n <= maxTiles; n++) {
            for (int i = 1; i <= n; i++) {
                for (int j = 1; j <= n; j++) {
                    if (i * j <= maxTiles && i * j >= minTiles) {
                        set.add(new TileGrid(i, j));
                    }
                }
            }
        }
        List<TileGrid> grids = new ArrayList<>(set.iterationOrder());
        grids.sort(Comparator.comparingInt(TileGrid::tileCount)); // List.sort is stable, like Python's sorted
        return List.copyOf(grids);
    }

    /**
     * Returns the candidate whose cols/rows is closest to width/height; on an exact tie a later candidate wins only
     * if the image area exceeds half the area its tiles would cover (so small images keep fewer tiles).
     */
    static TileGrid closestGrid(int width, int height, int tileSize, List<TileGrid> candidates) {
        double aspectRatio = (double) width / height;
        double area = (double) width * height;
        double bestDiff = Double.POSITIVE_INFINITY;
        TileGrid best = new TileGrid(1, 1);
        for (TileGrid grid : candidates) {
            double diff = Math.abs(aspectRatio - grid.aspectRatio());
            if (diff < bestDiff) {
                bestDiff = diff;
                best = grid;
            } else if (diff == bestDiff && area > 0.5 * tileSize * tileSize * grid.cols() * grid.rows()) {
                best = grid;
            }
        }
        return best;
    }
}
