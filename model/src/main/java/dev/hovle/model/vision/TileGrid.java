package dev.hovle.model.vision;

/**
 * A tiling of the resized image into {@code cols} × {@code rows} square tiles (InternVL's "target ratio" (i, j)).
 *
 * @param cols number of tile columns (i in the official code)
 * @param rows number of tile rows (j in the official code)
 */
public record TileGrid(int cols, int rows) {

    public TileGrid {
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException("grid needs at least one column and one row, got " + cols + "x" + rows);
        }
    }

    /** Returns the number of tiles of the grid, cols × rows. */
    public int tileCount() {
        return cols * rows;
    }

    /** Returns the grid's aspect ratio cols / rows, as the official code computes it (a double division). */
    double aspectRatio() {
        return (double) cols / rows;
    }

    @Override
    public String toString() {
        return cols + "x" + rows;
    }
}
