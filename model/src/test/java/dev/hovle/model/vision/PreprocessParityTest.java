package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole path (decode, tile, resample, normalise) against the official Python outputs in the golden set. */
class PreprocessParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> runs() throws IOException {
        Path root = Fixtures.goldenDir().resolve("preprocess");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).as("preprocess cases in " + root).isNotEmpty();
        Stream.Builder<Arguments> runs = Stream.builder();
        for (Path dir : cases) {
            JsonNode json = JSON.readTree(dir.resolve("case.json").toFile());
            for (JsonNode run : json.get("runs")) {
                runs.add(Arguments.of(dir.getFileName() + " max_num " + run.get("max_num").asInt(), dir, json, run));
            }
        }
        return runs.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void reproducesPillowTilesBitForBit(String name, Path dir, JsonNode json, JsonNode run) throws Exception {
        PreprocessedImage image = preprocess(dir, json, run);

        assertThat(List.of(image.grid().cols(), image.grid().rows()))
                .isEqualTo(List.of(run.get("grid_cols_rows").get(0).asInt(), run.get("grid_cols_rows").get(1).asInt()));
        assertThat(image.numTiles()).isEqualTo(run.get("num_tiles").asInt());
        JsonNode files = run.get("tile_files");
        assertThat(image.tiles()).hasSize(files.size());
        for (int t = 0; t < files.size(); t++) {
            RgbImage expected = Fixtures.readRgbPng(dir.resolve(files.get(t).asText()));
            RgbImage actual = image.tiles().get(t);
            String file = files.get(t).asText();
            assertThat(actual).as(file + ": " + Fixtures.difference(actual, expected)).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void reproducesOfficialPixelValuesBitForBit(String name, Path dir, JsonNode json, JsonNode run) throws Exception {
        PreprocessedImage image = preprocess(dir, json, run);
        JsonNode expected = run.get("pixel_values");
        float[] values = image.pixelValues();
        int size = image.tileSize();

        assertThat(image.shape().getShape()).containsExactly(
                JSON.convertValue(expected.get("shape"), long[].class));
        assertThat(sha256LittleEndian(values)).isEqualTo(expected.get("sha256_float32_le").asText());
        for (JsonNode sample : expected.get("samples")) {
            JsonNode at = sample.get("index_tile_channel_y_x");
            int plane = at.get(0).asInt() * 3 + at.get(1).asInt();
            int index = (plane * size + at.get(2).asInt()) * size + at.get(3).asInt();
            assertThat(values[index]).as("sample " + at).isEqualTo((float) sample.get("value").asDouble());
        }
        double[] means = channelMeans(values, 0, image.numTiles(), size);
        for (int c = 0; c < 3; c++) {
            assertThat(means[c]).isCloseTo(expected.get("channel_mean").get(c).asDouble(), within(1e-6));
        }
        for (int t = 0; t < image.numTiles(); t++) {
            double[] tileMeans = channelMeans(values, t, t + 1, size);
            for (int c = 0; c < 3; c++) {
                assertThat(tileMeans[c]).as("tile " + t + " channel " + c)
                        .isCloseTo(expected.get("tile_channel_mean").get(t).get(c).asDouble(), within(1e-6));
            }
        }
    }

    /** The model case uses the same helpers with 56-pixel tiles; its pixel_values tensor is stored whole. */
    @Test
    void reproducesModelCasePixelValuesBitForBit() throws Exception {
        Path dir = Fixtures.goldenDir().resolve("models/case1_pre_1image_3tiles");
        JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile()).get("images").get(0);
        ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                .setTileSize(spec.get("image_size").asInt())
                .optMaxTiles(spec.get("max_num").asInt())
                .optUseThumbnail(spec.get("use_thumbnail").asBoolean())
                .build();

        PreprocessedImage image = preprocessor.preprocess(Files.readAllBytes(dir.resolve(spec.get("file").asText())));

        assertThat(image.grid()).isEqualTo(new TileGrid(
                spec.get("grid_cols_rows").get(0).asInt(), spec.get("grid_cols_rows").get(1).asInt()));
        assertThat(image.pixelValues()).isEqualTo(readF32(dir.resolve("case.safetensors"), "pixel_values"));
    }

    private static PreprocessedImage preprocess(Path dir, JsonNode json, JsonNode run) throws Exception {
        ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                .setTileSize(run.get("image_size").asInt())
                .optMinTiles(run.get("min_num").asInt())
                .optMaxTiles(run.get("max_num").asInt())
                .optUseThumbnail(run.get("use_thumbnail").asBoolean())
                .build();
        return preprocessor.preprocess(Files.readAllBytes(dir.resolve(json.get("input_file").asText())));
    }

    private static String sha256LittleEndian(float[] values) throws NoSuchAlgorithmException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    }

    private static double[] channelMeans(float[] values, int fromTile, int toTile, int size) {
        int plane = size * size;
        double[] means = new double[3];
        for (int t = fromTile; t < toTile; t++) {
            for (int c = 0; c < 3; c++) {
                int offset = (t * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    means[c] += values[offset + p];
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            means[c] /= (double) (toTile - fromTile) * plane;
        }
        return means;
    }

    /** Reads one F32 tensor from a safetensors file (8-byte little-endian header length, JSON header, data). */
    private static float[] readF32(Path file, String name) throws IOException {
        byte[] data = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) in.getLong(0);
        JsonNode tensor = JSON.readTree(new String(data, 8, headerLength, StandardCharsets.UTF_8)).get(name);
        assertThat(tensor.get("dtype").asText()).isEqualTo("F32");
        int begin = 8 + headerLength + tensor.get("data_offsets").get(0).asInt();
        int end = 8 + headerLength + tensor.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - begin) / 4];
        in.position(begin);
        in.asFloatBuffer().get(out);
        return out;
    }
}
