package dev.hovle.model.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.TestModels;
import dev.hovle.model.weights.Bfloat16;
import dev.hovle.model.weights.SafetensorsFile;
import dev.hovle.model.weights.TensorDtype;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotConverterTest {
    private static final String TENSOR = "language_model.model.layers.0.attention.wqkv.weight";

    @TempDir
    Path temp;

    @Test
    void convertsWeightsToBfloat16RoundingToNearestEvenAndBackExactly() throws Exception {
        Path golden = TestModels.goldenCase();
        Path bf16 = temp.resolve("bf16");
        Path back = temp.resolve("back");
        SnapshotConverter.Result result = SnapshotConverter.convert(golden, bf16, TensorDtype.BF16);
        SnapshotConverter.convert(bf16, back, TensorDtype.F32);

        assertThat(result.tensorsConverted()).isPositive();
        assertThat(result.bytesAfter() * 2).isEqualTo(result.bytesBefore());
        try (SafetensorsFile original = SafetensorsFile.open(golden.resolve("model.safetensors"));
                SafetensorsFile narrowed = SafetensorsFile.open(bf16.resolve("model.safetensors"));
                SafetensorsFile widened = SafetensorsFile.open(back.resolve("model.safetensors"))) {
            assertThat(narrowed.tensors().get(TENSOR).dtype()).isEqualTo(TensorDtype.BF16);
            float[] values = original.floats(TENSOR);
            float[] expected = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                expected[i] = Bfloat16.toFloat(Bfloat16.fromFloat(values[i]));
            }
            assertThat(narrowed.floats(TENSOR)).containsExactly(expected);
            assertThat(widened.tensors().get(TENSOR).dtype()).isEqualTo(TensorDtype.F32);
            assertThat(widened.floats(TENSOR)).containsExactly(expected);
        }
    }

    @Test
    void startsTensorDataOnACacheLineSoVectorLoadsNeverStraddleTwo() throws Exception {
        Path bf16 = temp.resolve("bf16");
        SnapshotConverter.convert(TestModels.goldenCase(), bf16, TensorDtype.BF16);
        try (var channel = java.nio.channels.FileChannel.open(bf16.resolve("model.safetensors"))) {
            java.nio.ByteBuffer length = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            assertThat((8 + length.flip().getLong()) % 64).isZero();
        }
        try (SafetensorsFile file = SafetensorsFile.open(bf16.resolve("model.safetensors"))) {
            assertThat(file.tensors().values()).allSatisfy(t -> assertThat(t.begin() % 2).isZero());
        }
    }

    @Test
    void writesTheNewDtypeIntoConfigAndCopiesTheOtherFiles() throws Exception {
        Path golden = TestModels.goldenCase();
        Path bf16 = temp.resolve("bf16");
        SnapshotConverter.Result result = SnapshotConverter.convert(golden, bf16, TensorDtype.BF16);

        JsonNode config = new ObjectMapper().readTree(bf16.resolve("config.json").toFile());
        assertThat(config.path("torch_dtype").asText()).isEqualTo("bfloat16");
        assertThat(result.filesCopied()).contains("config.json", "case.json");
        assertThat(Files.readString(bf16.resolve("case.json"))).isEqualTo(Files.readString(golden.resolve("case.json")));
    }

    @Test
    void refusesAnOutputThatHoldsFilesAndAFolderThatIsNoSnapshot() throws Exception {
        Path golden = TestModels.goldenCase();
        Path used = Files.createDirectories(temp.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> SnapshotConverter.convert(golden, used, TensorDtype.BF16))
                .hasMessageContaining("must not exist or be an empty directory");
        assertThat(Files.readString(used.resolve("keep.txt"))).isEqualTo("mine");
        assertThatThrownBy(() -> SnapshotConverter.convert(used, temp.resolve("out"), TensorDtype.BF16))
                .hasMessageContaining("config.json");
    }
}
