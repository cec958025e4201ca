package dev.hovle.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.TestModels;
import dev.hovle.model.vision.ImagePreprocessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HovleCliTest {

    @Test
    void initCreatesASnapshotThatGenerateAnswersWith(@TempDir Path temp) throws Exception {
        Path model = temp.resolve("tiny");
        assertThat(CliRun.of("init", "--size", "tiny", "--out", model.toString()).exit()).isZero();
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("tokenizer.model")).exists();
        Path image = TestModels.goldenRoot().resolve("preprocess/wide_coffee_300x100/input.png");
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--image", image.toString(), "--prompt",
                "What is in the picture?", "--max-new-tokens", "5");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("prompt", "tokens/s", "generation 5 tokens", "finish LENGTH");
    }

    @Test
    void convertWritesABf16SnapshotThatAnswersAsItsFloat32TwinDoes(@TempDir Path temp) throws Exception {
        Path model = temp.resolve("tiny");
        Path bf16 = temp.resolve("tiny-bf16");
        Path twin = temp.resolve("tiny-bf16-as-f32");
        CliRun.of("init", "--size", "tiny", "--out", model.toString());
        CliRun converted = CliRun.of("convert", "--model", model.toString(), "--out", bf16.toString(), "--dtype", "bf16");
        assertThat(converted.exit()).as(converted.err()).isZero();
        assertThat(converted.out()).contains("to bf16", "tokenizer.model");
        assertThat(CliRun.of("convert", "--model", bf16.toString(), "--out", twin.toString(), "--dtype", "f32").exit())
                .isZero();
        Path image = TestModels.goldenRoot().resolve("preprocess/wide_coffee_300x100/input.png");
        String[] ask = {"--image", image.toString(), "--prompt", "What is in the picture?", "--max-new-tokens", "12"};
        CliRun served = CliRun.of(concat(new String[] {"generate", "--model", bf16.toString()}, ask));
        CliRun reference = CliRun.of(concat(new String[] {"generate", "--model", twin.toString()}, ask));
        assertThat(served.exit()).as(served.err()).isZero();
        assertThat(served.out()).isNotBlank().isEqualTo(reference.out());

        CliRun refused = CliRun.of("convert", "--model", model.toString(), "--out", bf16.toString(), "--dtype", "bf16");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("must not exist or be an empty directory");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void generateRefusesAnUnsupportedImageFormatWithAClearMessage(@TempDir Path temp) throws Exception {
        Path model = temp.resolve("tiny");
        CliRun.of("init", "--size", "tiny", "--out", model.toString());
        Path gif = temp.resolve("image.gif");
        Files.write(gif, "GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1));
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--image", gif.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("unsupported image format");
    }

    @Test
    void tilesWritesTheTilesThatEnterNormalisation(@TempDir Path temp) throws Exception {
        Path golden = TestModels.goldenRoot().resolve("preprocess/tall_rocket_120x300");
        CliRun r = CliRun.of("tiles", "--image", golden.resolve("input.png").toString(), "--max-num", "6", "--out",
                temp.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("grid 1 cols x 3 rows, 4 tiles (incl. thumbnail)");
        ImagePreprocessor decoder = ImagePreprocessor.builder().setTileSize(448).build();
        for (String tile : new String[] {"grid1x3_tile00_r0c0.png", "grid1x3_tile02_r2c0.png", "thumbnail.png"}) {
            assertThat(decoder.decode(Files.readAllBytes(temp.resolve(tile))))
                    .isEqualTo(decoder.decode(Files.readAllBytes(golden.resolve(tile))));
        }
    }

    @Test
    void verifyGoldenExitsNonZeroWhenACheckFails(@TempDir Path temp) throws Exception {
        Path golden = TestModels.goldenCase();
        Path copy = Files.createDirectories(temp.resolve(golden.getFileName()));
        try (var files = Files.list(golden)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(copy.resolve("config.json").toFile());
        ((ObjectNode) config.get("llm_config")).put("rms_norm_eps", 0.5); // a different model than the fixture's
        Files.writeString(copy.resolve("config.json"), json.writeValueAsString(config));
        CliRun r = CliRun.of("verify-golden", copy.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("logits").contains("FAIL").contains("prompt (template)");
    }
}
