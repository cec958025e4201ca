package dev.hovle.tools.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.vision.PreprocessedImage;
import dev.hovle.model.vision.RgbImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks one golden image preprocessing case: for each recorded run (a max_num), the grid, every tile pixel for
 * pixel against the official PNGs, and the float32 pixel values by SHA-256, samples and channel means.
 */
final class GoldenImageCase {
    private GoldenImageCase() {}

    static boolean isImageCase(Path dir) throws IOException {
        return Files.exists(dir.resolve("case.json")) && new ObjectMapper().readTree(dir.resolve("case.json").toFile())
                .has("runs");
    }

    static List<GoldenRow> verify(Path dir) throws IOException, InvalidImageException {
        String name = dir.getFileName().toString();
        JsonNode caseJson = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        byte[] input = Files.readAllBytes(dir.resolve(caseJson.path("input_file").asText("input.png")));
        List<GoldenRow> rows = new ArrayList<>();
        for (JsonNode run : caseJson.path("runs")) {
            int maxNum = run.path("max_num").asInt();
            String prefix = "max_num " + maxNum + ": ";
            ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(run.path("image_size").asInt())
                    .optMinTiles(run.path("min_num").asInt(1)).optMaxTiles(maxNum)
                    .optUseThumbnail(run.path("use_thumbnail").asBoolean(true)).build();
            PreprocessedImage image = preprocessor.preprocess(input);
            JsonNode grid = run.path("grid_cols_rows");
            rows.add(GoldenRow.exact(name, prefix + "grid " + grid.get(0).asInt() + "x" + grid.get(1).asInt(),
                    image.grid().cols() == grid.get(0).asInt() && image.grid().rows() == grid.get(1).asInt()
                            && image.numTiles() == run.path("num_tiles").asInt() ? 0 : 1));
            JsonNode files = run.path("tile_files");
            for (int k = 0; k < files.size(); k++) {
                RgbImage expected = preprocessor.decode(Files.readAllBytes(dir.resolve(files.get(k).asText())));
                long differing = k < image.numTiles() ? differingPixels(image.tiles().get(k), expected) : Long.MAX_VALUE;
                rows.add(new GoldenRow(name, prefix + files.get(k).asText(), "pixels differing", differing, 0));
            }
            float[] values = image.pixelValues();
            JsonNode stats = run.path("pixel_values");
            rows.add(GoldenRow.exact(name, prefix + "pixel_values sha256",
                    sha256(values).equals(stats.path("sha256_float32_le").asText()) ? 0 : 1));
            double worst = 0;
            int size = image.tileSize();
            for (JsonNode sample : stats.path("samples")) {
                JsonNode at = sample.path("index_tile_channel_y_x");
                int index = ((at.get(0).asInt() * 3 + at.get(1).asInt()) * size + at.get(2).asInt()) * size + at.get(3).asInt();
                worst = Math.max(worst, Math.abs(values[index] - sample.path("value").asDouble()));
            }
            rows.add(new GoldenRow(name, prefix + "pixel_values samples", "max abs err", worst, 1e-6));
        }
        return rows;
    }

    private static long differingPixels(RgbImage actual, RgbImage expected) {
        if (actual.width() != expected.width() || actual.height() != expected.height()) {
            return (long) expected.width() * expected.height();
        }
        byte[] a = actual.rgb();
        byte[] e = expected.rgb();
        long count = 0;
        for (int p = 0; p < a.length; p += 3) {
            if (a[p] != e[p] || a[p + 1] != e[p + 1] || a[p + 2] != e[p + 2]) {
                count++;
            }
        }
        return count;
    }

    static String sha256(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
