package dev.hovle.tools.cli;

import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.PreprocessedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle tiles}: each tile as the 8-bit PNG that enters normalisation, and the grid chosen. */
@Command(name = "tiles", description = "Write each tile of an image, as the 8-bit PNG that enters normalisation, and "
        + "print the grid InternVL's dynamic tiling chose.")
final class TilesCommand implements Callable<Integer> {

    @Option(names = "--image", required = true, description = "image file")
    Path image;

    @Option(names = "--max-num", defaultValue = "6", description = "most tiles (default ${DEFAULT-VALUE})")
    int maxNum;

    @Option(names = "--min-num", defaultValue = "1", description = "fewest tiles (default ${DEFAULT-VALUE})")
    int minNum;

    @Option(names = "--size", defaultValue = "448", description = "tile side (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--no-thumbnail", description = "do not add the whole-image thumbnail tile")
    boolean noThumbnail;

    @Option(names = "--out", required = true, description = "directory for the tile PNGs")
    Path out;

    @Override
    public Integer call() throws Exception {
        ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(size).optMinTiles(minNum)
                .optMaxTiles(maxNum).optUseThumbnail(!noThumbnail).build();
        PreprocessedImage result = preprocessor.preprocess(Files.readAllBytes(image));
        Files.createDirectories(out);
        int cols = result.grid().cols();
        int rows = result.grid().rows();
        int gridTiles = cols * rows;
        for (int k = 0; k < result.numTiles(); k++) {
            String name = k < gridTiles
                    ? String.format("grid%dx%d_tile%02d_r%dc%d.png", cols, rows, k, k / cols, k % cols)
                    : "thumbnail.png";
            result.tiles().get(k).writePng(out.resolve(name));
        }
        System.out.printf("grid %d cols x %d rows, %d tiles%s -> %s%n", cols, rows, result.numTiles(),
                result.numTiles() > gridTiles ? " (incl. thumbnail)" : "", out);
        return 0;
    }
}
