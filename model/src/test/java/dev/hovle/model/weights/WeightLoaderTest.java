package dev.hovle.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.TestModels;
import dev.hovle.model.WeightMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightLoaderTest {
    private static final String WQKV = "language_model.model.layers.0.attention.wqkv.weight";

    /** A copy of the golden model whose checkpoint is rewritten by {@code edit}. */
    private static Path rewritten(Path temp, java.util.function.UnaryOperator<List<SafetensorsWriter.Entry>> edit)
            throws IOException {
        Path golden = TestModels.goldenCase();
        Files.copy(golden.resolve("config.json"), temp.resolve("config.json"));
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        try (SafetensorsFile file = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            for (TensorInfo t : file.tensors().values()) {
                byte[] bytes = new byte[(int) t.byteLength()];
                file.map(t).get(bytes);
                entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape(),
                        ch -> ch.write(java.nio.ByteBuffer.wrap(bytes))));
            }
        }
        SafetensorsWriter.write(temp.resolve("model.safetensors"), edit.apply(entries));
        return temp;
    }

    @Test
    void servingWeightsHandTheirFileBytesToTheDecodeKernelAndTrainingCopiesDoNot() throws Exception {
        Path golden = TestModels.goldenCase();
        try (HoVLEModel serving = HoVLEModel.load(golden);
                HoVLEModel training = HoVLEModel.load(golden, Device.cpu(), DataType.FLOAT32, WeightMode.TRAINING)) {
            HoVLEWeights weights = serving.weights();
            long matrices = weights.byName().values().stream().filter(a -> a.getShape().dimension() == 2).count();

            assertThat(weights.hostViews().size()).as("read-only float32 matrices mapped from the file")
                    .isEqualTo((int) matrices).isPositive();
            assertThat(weights.hostViews().of(weights.llm().output())).isNotNull();
            assertThat(training.weights().hostViews().size()).as("writable copies").isZero();
        }
    }

    @Test
    void failsOnAMissingTensorNamingIt(@TempDir Path temp) throws Exception {
        Path dir = rewritten(temp, e -> e.stream().filter(x -> !x.name().equals(WQKV)).toList());
        assertThatThrownBy(() -> HoVLEModel.load(dir)).isInstanceOf(WeightException.class)
                .hasMessageContaining("missing tensor '" + WQKV + "', expected shape [128, 64]");
    }

    @Test
    void failsOnAMisShapedTensorNamingBothShapes(@TempDir Path temp) throws Exception {
        Path dir = rewritten(temp, e -> e.stream().map(x -> !x.name().equals(WQKV) ? x
                : new SafetensorsWriter.Entry(x.name(), x.dtype(), new long[] {64, 128}, x.data())).toList());
        assertThatThrownBy(() -> HoVLEModel.load(dir)).isInstanceOf(WeightException.class)
                .hasMessageContaining("tensor '" + WQKV + "' has shape [64, 128] in the checkpoint but the config expects"
                        + " [128, 64]");
    }

    @Test
    void failsOnAnUnusedTensorNamingIt(@TempDir Path temp) throws Exception {
        Path dir = rewritten(temp, e -> {
            List<SafetensorsWriter.Entry> more = new ArrayList<>(e);
            more.add(new SafetensorsWriter.Entry("language_model.lm_head.extra", TensorDtype.F32, new long[] {2},
                    ch -> ch.write(java.nio.ByteBuffer.allocate(8))));
            return more;
        });
        assertThatThrownBy(() -> HoVLEModel.load(dir)).isInstanceOf(WeightException.class)
                .hasMessageContaining("unused tensor 'language_model.lm_head.extra' [2]");
    }

    @Test
    void failsOnATruncatedFileNamingTheTensor(@TempDir Path temp) throws Exception {
        Path dir = rewritten(temp, e -> e);
        Path file = dir.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 100);
        }
        assertThatThrownBy(() -> HoVLEModel.load(dir)).isInstanceOf(WeightException.class)
                .hasMessageContaining("is truncated").hasMessageContaining("language_model.output.weight");
    }

    @Test
    void loadsShardedCheckpointsThroughTheIndex(@TempDir Path temp) throws Exception {
        Path golden = TestModels.goldenCase();
        Files.copy(golden.resolve("config.json"), temp.resolve("config.json"));
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        try (SafetensorsFile file = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            for (TensorInfo t : file.tensors().values()) {
                byte[] bytes = new byte[(int) t.byteLength()];
                file.map(t).get(bytes);
                entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape(),
                        ch -> ch.write(java.nio.ByteBuffer.wrap(bytes))));
            }
        }
        SafetensorsWriter.writeCheckpoint(temp, entries, 300_000);
        assertThat(temp.resolve(Checkpoint.INDEX_FILE)).exists();
        assertThat(temp.resolve("model-00001-of-00005.safetensors")).exists();
        try (HoVLEModel sharded = HoVLEModel.load(temp); HoVLEModel single = HoVLEModel.load(golden)) {
            assertThat(sharded.weights().byName().keySet()).isEqualTo(single.weights().byName().keySet());
            assertThat(sharded.weights().byName().get(WQKV).contentEquals(single.weights().byName().get(WQKV))).isTrue();
        }
    }

    @Test
    void loadsFloat16CheckpointsIntoFloat32Compute(@TempDir Path temp) throws Exception {
        Path golden = TestModels.goldenCase();
        Files.copy(golden.resolve("config.json"), temp.resolve("config.json"));
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        try (SafetensorsFile file = SafetensorsFile.open(golden.resolve("model.safetensors"));
                ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            for (TensorInfo t : file.tensors().values()) {
                byte[] half = file.read(t.name(), manager, ai.djl.ndarray.types.DataType.FLOAT16).toByteArray();
                entries.add(new SafetensorsWriter.Entry(t.name(), TensorDtype.F16, t.shape(),
                        ch -> ch.write(java.nio.ByteBuffer.wrap(half))));
            }
        }
        SafetensorsWriter.write(temp.resolve("model.safetensors"), entries);
        try (HoVLEModel f16 = HoVLEModel.load(temp); HoVLEModel f32 = HoVLEModel.load(golden)) {
            float[] a = f16.weights().byName().get(WQKV).toFloatArray();
            float[] b = f32.weights().byName().get(WQKV).toFloatArray();
            assertThat(f16.dtype()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).isCloseTo(b[i], org.assertj.core.data.Offset.offset(Math.abs(b[i]) * 1e-3f + 1e-6f));
            }
        }
    }

    @Test
    void widensBfloat16AndHalfInJava() {
        assertThat(SafetensorsFile.halfToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(SafetensorsFile.halfToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(SafetensorsFile.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(SafetensorsFile.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    }
}
