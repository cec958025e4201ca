package dev.hovle.model.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns an image into HoVLE's model input exactly as the official InternVL-style Python helpers do (Pillow 9.4 +
 * torchvision): decode and convert to RGB, pick a tile grid by aspect ratio, bicubic-resize to the grid, cut
 * S×S tiles row-major, append a thumbnail, normalise with ImageNet statistics.
 *
 * <p>Usage ({@code ImagePreprocessorTest#builderExample} compiles this):
 * <pre>{@code
 * ImagePreprocessor preprocessor = ImagePreprocessor.builder()
 *         .setTileSize(448)
 *         .optMaxTiles(12)
 *         .build();
 * PreprocessedImage image = preprocessor.preprocess(jpegBytes); // throws InvalidImageException
 * NDArray pixelValues = image.toNDArray(manager);              // [n, 3, 448, 448]
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; share one per configuration.
 */
public final class ImagePreprocessor {

    /** Pillow's default {@code Image.MAX_IMAGE_PIXELS}: 1024·1024·1024 / 4 / 3. */
    public static final long DEFAULT_PIXEL_LIMIT = 89_478_485L;

    /** The largest pixel limit that can be configured (a decoded RGBA raster must fit one Java array). */
    public static final long MAX_PIXEL_LIMIT = Integer.MAX_VALUE / 4;

    private final int tileSize;
    private final int minTiles;
    private final int maxTiles;
    private final boolean useThumbnail;
    private final List<TileGrid> candidates;
    private final ImageDecoder decoder;

    private ImagePreprocessor(Builder builder) {
        this.tileSize = builder.tileSize;
        this.minTiles = builder.minTiles;
        this.maxTiles = builder.maxTiles;
        this.useThumbnail = builder.useThumbnail;
        this.candidates = DynamicTiling.candidateGrids(minTiles, maxTiles);
        this.decoder = new ImageDecoder(builder.pixelLimit);
    }

    /** Returns a builder; {@link Builder#setTileSize(int)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes PNG, JPEG or WebP bytes and preprocesses the image.
     *
     * @throws InvalidImageException if the bytes are not a supported image, are damaged, or announce more pixels
     *     than the configured limit
     */
    public PreprocessedImage preprocess(byte[] encoded) throws InvalidImageException {
        Objects.requireNonNull(encoded, "encoded");
        return preprocess(decoder.decode(encoded));
    }

    /** Preprocesses an already decoded RGB image. */
    public PreprocessedImage preprocess(RgbImage image) {
        return preprocess(image.pixels());
    }

    /** Decodes bytes to 8-bit RGB as Pillow's {@code Image.open(...).convert("RGB")} does, without tiling. */
    public RgbImage decode(byte[] encoded) throws InvalidImageException {
        Objects.requireNonNull(encoded, "encoded");
        return new RgbImage(decoder.decode(encoded));
    }

    private PreprocessedImage preprocess(RgbPixels image) {
        TileGrid grid = DynamicTiling.closestGrid(image.width(), image.height(), tileSize, candidates);
        RgbPixels canvas = BicubicResampler.resize(image, tileSize * grid.cols(), tileSize * grid.rows());
        List<RgbImage> tiles = new ArrayList<>(grid.tileCount() + 1);
        for (int k = 0; k < grid.tileCount(); k++) {
            int col = k % grid.cols();
            int row = k / grid.cols();
            tiles.add(new RgbImage(canvas.crop(col * tileSize, row * tileSize, tileSize)));
        }
        // The thumbnail is the original image resized straight to S×S, not a downscale of the canvas.
        if (useThumbnail && tiles.size() != 1) {
            tiles.add(new RgbImage(BicubicResampler.resize(image, tileSize, tileSize)));
        }
        return new PreprocessedImage(grid, tiles);
    }

    /** Returns the candidate grids in the official order (sorted by tile count; ties as the Python code has them). */
    public List<TileGrid> candidateGrids() {
        return candidates;
    }

    /** Returns the tile edge length S in pixels. */
    public int tileSize() {
        return tileSize;
    }

    /** Returns the smallest number of grid tiles (min_num). */
    public int minTiles() {
        return minTiles;
    }

    /** Returns the largest number of grid tiles, thumbnail not counted (max_num). */
    public int maxTiles() {
        return maxTiles;
    }

    /** Returns whether a thumbnail follows the grid tiles when there is more than one. */
    public boolean useThumbnail() {
        return useThumbnail;
    }

    /**
     * Builder for {@link ImagePreprocessor}; setX arguments are required, optX ones optional (DJL convention).
     * Defaults: min tiles 1, max tiles 6, thumbnail on, pixel limit {@value #DEFAULT_PIXEL_LIMIT}, as in the
     * official helpers and the HoVLE config class defaults. Pass the model's {@code max_dynamic_patch} and
     * {@code use_thumbnail} from its config.json where it has them.
     */
    public static final class Builder {

        private int tileSize = -1;
        private int minTiles = 1;
        private int maxTiles = 6;
        private boolean useThumbnail = true;
        private long pixelLimit = DEFAULT_PIXEL_LIMIT;

        private Builder() {}

        /** Sets the tile edge length S in pixels (448 for the released HoVLE models; required). */
        public Builder setTileSize(int tileSize) {
            this.tileSize = tileSize;
            return this;
        }

        /** Sets the smallest number of grid tiles (min_num; default 1). */
        public Builder optMinTiles(int minTiles) {
            this.minTiles = minTiles;
            return this;
        }

        /** Sets the largest number of grid tiles, thumbnail not counted (max_num; default 6). */
        public Builder optMaxTiles(int maxTiles) {
            this.maxTiles = maxTiles;
            return this;
        }

        /** Sets whether a thumbnail follows the grid tiles when there is more than one (default true). */
        public Builder optUseThumbnail(boolean useThumbnail) {
            this.useThumbnail = useThumbnail;
            return this;
        }

        /** Sets the largest width·height accepted, checked from the header before decoding (default Pillow's). */
        public Builder optPixelLimit(long pixelLimit) {
            this.pixelLimit = pixelLimit;
            return this;
        }

        /** Builds the preprocessor after checking the settings. */
        public ImagePreprocessor build() {
            sanityCheck();
            return new ImagePreprocessor(this);
        }

        private void sanityCheck() {
            if (tileSize == -1) {
                throw new IllegalStateException("tile size is required: call setTileSize(448) (or the model's "
                        + "force_image_size / vision image_size)");
            }
            if (tileSize <= 0) {
                throw new IllegalArgumentException("tile size must be positive, got " + tileSize);
            }
            if (minTiles < 1 || maxTiles < minTiles) {
                throw new IllegalArgumentException("need 1 <= minTiles <= maxTiles, got minTiles " + minTiles
                        + " and maxTiles " + maxTiles);
            }
            // Bounds the candidate loop and the canvas (tileSize² · maxTiles pixels).
            if ((long) tileSize * tileSize * maxTiles > Integer.MAX_VALUE / 3) {
                throw new IllegalArgumentException("tileSize² · maxTiles too large for one canvas: " + tileSize
                        + "² · " + maxTiles);
            }
            // Decoders hold an image in one Java array of up to 4 samples per pixel (RGBA), so 2^31 / 4 is the most
            // any limit can allow.
            if (pixelLimit < 1 || pixelLimit > MAX_PIXEL_LIMIT) {
                throw new IllegalArgumentException(
                        "pixel limit must be between 1 and " + MAX_PIXEL_LIMIT + ", got " + pixelLimit);
            }
        }
    }
}
