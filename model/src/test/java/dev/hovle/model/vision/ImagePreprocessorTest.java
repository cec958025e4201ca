package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public entry point: builder rules, thread safety, tensors and the value types it returns. */
class ImagePreprocessorTest {

    /** The example from {@link ImagePreprocessor}'s javadoc, kept compiling here. */
    @Test
    void builderExample() throws Exception {
        byte[] jpegBytes = Fixtures.resource("ycc420.jpg");

        ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                .setTileSize(448)
                .optMaxTiles(12)
                .build();
        PreprocessedImage image = preprocessor.preprocess(jpegBytes); // throws InvalidImageException
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray pixelValues = image.toNDArray(manager); // [n, 3, 448, 448]

            assertThat(pixelValues.getShape().getShape()).containsExactly(image.numTiles(), 3, 448, 448);
            assertThat(pixelValues.toFloatArray()).isEqualTo(image.pixelValues());
        }
    }

    @Test
    void requiresTheTileSize() {
        assertThatThrownBy(() -> ImagePreprocessor.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setTileSize");
    }

    @Test
    void rejectsInconsistentSettingsNamingThem() {
        assertThatThrownBy(() -> ImagePreprocessor.builder().setTileSize(448).optMinTiles(4).optMaxTiles(2).build())
                .hasMessageContaining("minTiles 4").hasMessageContaining("maxTiles 2");
        assertThatThrownBy(() -> ImagePreprocessor.builder().setTileSize(0).build())
                .hasMessageContaining("tile size");
        assertThatThrownBy(() -> ImagePreprocessor.builder().setTileSize(448).optPixelLimit(0).build())
                .hasMessageContaining("pixel limit");
    }

    @Test
    void defaultsToOneToSixTilesWithThumbnailAndPillowsPixelLimit() {
        ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(448).build();

        assertThat(preprocessor.minTiles()).isEqualTo(1);
        assertThat(preprocessor.maxTiles()).isEqualTo(6);
        assertThat(preprocessor.useThumbnail()).isTrue();
        assertThat(ImagePreprocessor.DEFAULT_PIXEL_LIMIT).isEqualTo(1024L * 1024 * 1024 / 4 / 3);
    }

    @Test
    void addsNoThumbnailToASingleTileOrWhenDisabled() throws Exception {
        byte[] square = Fixtures.resource("resize_to_64x64.png");
        byte[] wide = Files.readAllBytes(Fixtures.goldenDir().resolve("preprocess/wide_coffee_300x100/input.png"));
        ImagePreprocessor noThumbnail = ImagePreprocessor.builder().setTileSize(56).optUseThumbnail(false).build();
        ImagePreprocessor withThumbnail = ImagePreprocessor.builder().setTileSize(56).build();

        assertThat(withThumbnail.preprocess(square).numTiles()).isEqualTo(1);
        assertThat(withThumbnail.preprocess(wide).numTiles()).isEqualTo(4);
        assertThat(noThumbnail.preprocess(wide).numTiles()).isEqualTo(3);
    }

    @Test
    void givesIdenticalResultsFromManyThreads() throws Exception {
        byte[] png = Files.readAllBytes(Fixtures.goldenDir().resolve("preprocess/tall_rocket_120x300/input.png"));
        byte[] jpeg = Fixtures.resource("cmyk.jpg");
        ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(112).optMaxTiles(12).build();
        PreprocessedImage pngReference = preprocessor.preprocess(png);
        PreprocessedImage jpegReference = preprocessor.preprocess(jpeg);

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<PreprocessedImage>> jobs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                byte[] input = i % 2 == 0 ? png : jpeg;
                jobs.add(() -> preprocessor.preprocess(input));
            }
            List<Future<PreprocessedImage>> results = pool.invokeAll(jobs);
            for (int i = 0; i < results.size(); i++) {
                PreprocessedImage result = results.get(i).get();
                PreprocessedImage reference = i % 2 == 0 ? pngReference : jpegReference;
                assertThat(result).isEqualTo(reference);
                assertThat(result.pixelValues()).isEqualTo(reference.pixelValues());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void preprocessesAnRgbImageLikeItsEncodedForm() throws Exception {
        byte[] png = Files.readAllBytes(Fixtures.goldenDir().resolve("preprocess/wide_coffee_300x100/input.png"));
        ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(56).build();

        RgbImage decoded = preprocessor.decode(png);

        assertThat(preprocessor.preprocess(decoded)).isEqualTo(preprocessor.preprocess(png));
    }

    @Test
    void rgbImageIsImmutableAndRoundTripsThroughPng(@TempDir Path dir) throws Exception {
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        RgbImage image = new RgbImage(2, 1, rgb);
        rgb[0] = 99;
        image.rgb()[1] = 99;

        image.writePng(dir.resolve("tile.png"));

        assertThat(image.sample(0, 0, 0)).isEqualTo(1);
        assertThat(image.sample(0, 0, 1)).isEqualTo(2);
        assertThat(Fixtures.readRgbPng(dir.resolve("tile.png"))).isEqualTo(image);
        assertThat(Fixtures.readRgbPng(image.toPng())).isEqualTo(image);
        assertThatThrownBy(() -> new RgbImage(2, 2, rgb)).hasMessageContaining("expected 12 RGB bytes");
    }
}
