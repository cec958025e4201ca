package dev.hovle.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.TestModels;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.PreprocessedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's exactness check, without Python: a dump in {@code pillow_prepare.py}'s format is built from a
 * golden case (the official 8-bit tiles, and pixel values whose SHA-256 equals the official tensor's), then the
 * check must accept Java's preparation of the same image and reject any one changed byte or value.
 */
class PreparationComparisonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @TempDir
    Path dir;

    private PreprocessedImage java;

    @BeforeEach
    void prepareTheGoldenCaseInJava() throws Exception {
        Path golden = goldenCase();
        java = ImagePreprocessor.builder().setTileSize(448).optMaxTiles(6).build()
                .preprocess(Files.readAllBytes(golden.resolve("input.png")));
    }

    @Test
    void acceptsJavaPreparationOfTheOfficialTensor() throws Exception {
        ReferenceDump.Image reference = writeOfficialDump(3, 1);

        PreparationComparison.Verdict verdict = PreparationComparison.compare(java, reference);

        assertThat(verdict.exact()).as(verdict.describe()).isTrue();
        assertThat(verdict.describe()).isEqualTo("exact");
    }

    @Test
    void rejectsOneValueOneUlpAway() throws Exception {
        ReferenceDump.Image reference = writeOfficialDump(3, 1);
        int index = 3 * 448 * 448 + 448 + 7; // tile 1, channel 0, y 1, x 7
        float[] values = reference.readPixelValues();
        values[index] = Math.nextUp(values[index]);
        writeFloats(reference.pixelValues(), values);

        PreparationComparison.Verdict verdict = PreparationComparison.compare(java, reference);

        assertThat(verdict.exact()).isFalse();
        assertThat(verdict.tileBytesDiffering()).isZero();
        assertThat(verdict.valuesDiffering()).isEqualTo(1);
        assertThat(verdict.firstDifference()).isEqualTo("pixel_values[1, 0, 1, 7]");
    }

    @Test
    void rejectsOneTileByteOneLevelAway() throws Exception {
        ReferenceDump.Image reference = writeOfficialDump(3, 1);
        byte[] tiles = reference.readTiles();
        tiles[2 * 448 * 448 * 3 + 5] ^= 1; // tile 2, pixel (1, 0), blue
        Files.write(reference.tiles(), tiles);

        PreparationComparison.Verdict verdict = PreparationComparison.compare(java, reference);

        assertThat(verdict.exact()).isFalse();
        assertThat(verdict.tileBytesDiffering()).isEqualTo(1);
        assertThat(verdict.firstDifference()).isEqualTo("tile 2 (x 1, y 0, channel 2)");
    }

    @Test
    void rejectsAnotherGridWithoutComparingPixels() throws Exception {
        ReferenceDump.Image reference = writeOfficialDump(2, 2);

        PreparationComparison.Verdict verdict = PreparationComparison.compare(java, reference);

        assertThat(verdict.sameShape()).isFalse();
        assertThat(verdict.describe()).startsWith("SHAPE Java grid 3x1");
    }

    /** The golden wide_coffee case, whose max_num 6 run is a 3x1 grid plus the thumbnail. */
    private static Path goldenCase() {
        return TestModels.goldenRoot().resolve("preprocess/wide_coffee_300x100");
    }

    /** Writes the dump of the golden run (as {@code pillow_prepare.py --dump} lays it out), claiming grid cols x rows. */
    private ReferenceDump.Image writeOfficialDump(int cols, int rows) throws Exception {
        Path golden = goldenCase();
        JsonNode run = JSON.readTree(golden.resolve("case.json").toFile()).get("runs").get(0);
        assertThat(run.get("max_num").asInt()).isEqualTo(6);
        ImagePreprocessor decoder = ImagePreprocessor.builder().setTileSize(448).build();
        ByteArrayOutputStream tiles = new ByteArrayOutputStream();
        for (JsonNode file : run.get("tile_files")) {
            tiles.write(decoder.decode(Files.readAllBytes(golden.resolve(file.asText()))).rgb());
        }
        byte[] tileBytes = tiles.toByteArray();
        float[] values = officialNormalisation(tileBytes, run.get("num_tiles").asInt(), 448);
        assertThat(sha256(values)).as("the dump holds the official tensor")
                .isEqualTo(run.get("pixel_values").get("sha256_float32_le").asText());
        Files.write(dir.resolve("0.tiles.u8"), tileBytes);
        writeFloats(dir.resolve("0.pixel_values.f32"), values);
        String manifest = """
                {"max_num": 6, "image_size": 448, "pillow": "golden", "torch": "golden", "images": [
                 {"file": "input.png", "size_wh": [300, 100], "grid_cols_rows": [%d, %d], "shape": [%d, 3, 448, 448],
                  "tiles": "0.tiles.u8", "pixel_values": "0.pixel_values.f32"}]}
                """.formatted(cols, rows, run.get("num_tiles").asInt());
        Files.writeString(dir.resolve("manifest.json"), manifest);
        return ReferenceDump.read(dir).images().get(0);
    }

    /** ToTensor + Normalize as torchvision computes them in float32, from [n, S, S, 3] bytes to [n, 3, S, S]. */
    private static float[] officialNormalisation(byte[] tiles, int n, int size) {
        int plane = size * size;
        float[] values = new float[n * 3 * plane];
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    float u = (tiles[(t * plane + p) * 3 + c] & 0xFF) / 255f;
                    values[(t * 3 + c) * plane + p] = (u - MEAN[c]) / STD[c];
                }
            }
        }
        return values;
    }

    private static void writeFloats(Path file, float[] values) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        Files.write(file, bytes.array());
    }

    private static String sha256(float[] values) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    }
}
