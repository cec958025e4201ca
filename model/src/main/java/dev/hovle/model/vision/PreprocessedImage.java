package dev.hovle.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The result of preprocessing one image: the chosen grid, the 8-bit RGB tiles in model order (grid tiles row-major,
 * then the thumbnail if any) and, computed from them, the normalised {@code [n, 3, S, S]} pixel values.
 *
 * @param grid the chosen tiling (cols × rows) of the resized image
 * @param tiles the square tiles, each {@code S × S}, in the order the model consumes them
 */
public record PreprocessedImage(TileGrid grid, List<RgbImage> tiles) {

    public PreprocessedImage {
        tiles = List.copyOf(tiles);
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a preprocessed image has at least one tile");
        }
        int size = tiles.get(0).width();
        for (RgbImage tile : tiles) {
            if (tile.width() != size || tile.height() != size) {
                throw new IllegalArgumentException("tiles must all be " + size + "x" + size + ", got " + tile);
            }
        }
    }

    /** Returns the number of tiles fed to the model (grid tiles plus the thumbnail, if any). */
    public int numTiles() {
        return tiles.size();
    }

    /** Returns the tile edge length S in pixels. */
    public int tileSize() {
        return tiles.get(0).width();
    }

    /** Returns the shape of {@link #pixelValues()}: {@code [numTiles, 3, S, S]}. */
    public Shape shape() {
        return new Shape(numTiles(), 3, tileSize(), tileSize());
    }

    /**
     * Returns the ImageNet-normalised pixel values, {@code [numTiles, 3, S, S]} flattened in that order (CHW per
     * tile). Computed afresh on each call from the 8-bit tiles, so callers own the returned array.
     */
    public float[] pixelValues() {
        int size = tileSize();
        int plane = size * size;
        float[] out = new float[numTiles() * 3 * plane];
        for (int t = 0; t < numTiles(); t++) {
            ImageNetNormalization.normalize(tiles.get(t).pixels(), out, t * 3 * plane);
        }
        return out;
    }

    /** Creates the {@code [numTiles, 3, S, S]} float32 pixel-values tensor in {@code manager}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(pixelValues(), shape());
    }
}
