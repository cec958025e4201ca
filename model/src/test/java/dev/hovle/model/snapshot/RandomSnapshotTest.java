package dev.hovle.model.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.weights.Bfloat16;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.model.weights.WeightLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomSnapshotTest {

    @Test
    void theReleasedShapeHasTheReleasedParameterCount() {
        // 2,606,327,808 float32 parameters = the index's total_size of 10,425,311,232 bytes.
        assertThat(ModelSize.HOVLE_2_6B.parameterCount()).isEqualTo(2_606_327_808L);
        HoVLEConfig config = HoVLEConfig.parse(ConfigJson.write(ModelSize.HOVLE_2_6B,
                RandomSnapshot.tokenIds(92553), PixelShuffleLocation.PRE, "float32"));
        long total = WeightLoader.layout(config).stream().mapToLong(WeightLoader.TensorSpec::elementCount).sum();
        assertThat(total).isEqualTo(2_606_327_808L);
        assertThat(WeightLoader.layout(config)).hasSize(236);
        assertThat(config.embedding().imgContextTokenId()).isEqualTo(92546);
        assertThat(config.tokensPerTile()).isEqualTo(256);
    }

    @Test
    void writesALoadableFloat32Snapshot(@TempDir Path dir) throws Exception {
        RandomSnapshot.write(dir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 1);
        try (HoVLEModel model = HoVLEModel.load(dir)) {
            assertThat(model.weights().parameterCount()).isEqualTo(ModelSize.TINY.parameterCount());
        }
    }

    @Test
    void writesABfloat16SnapshotThatLoadsWidenedToFloat32(@TempDir Path dir) throws Exception {
        RandomSnapshot.write(dir, ModelSize.TINY, TensorDtype.BF16, PixelShuffleLocation.POST, 1);
        assertThat(Files.size(dir.resolve("model.safetensors"))).isLessThan(ModelSize.TINY.parameterCount() * 3);
        try (HoVLEModel model = HoVLEModel.load(dir)) {
            assertThat(model.config().embedding().pixelShuffleLocation()).isEqualTo(PixelShuffleLocation.POST);
            float norm = model.weights().byName().get("language_model.model.norm.weight").toFloatArray()[0];
            assertThat(norm).isEqualTo(1f);
        }
    }

    @Test
    void roundsToBfloat16LikePyTorch() {
        assertThat(Bfloat16.fromFloat(1f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties go to the even mantissa (1.0).
        assertThat(Bfloat16.fromFloat(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
        assertThat(Bfloat16.fromFloat(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
    }
}
