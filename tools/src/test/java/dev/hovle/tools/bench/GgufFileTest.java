package dev.hovle.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    private static final int F32 = 0, F16 = 1, Q8_0 = 8, BF16 = 30;

    @TempDir
    Path dir;

    /** A model of width 4, vocabulary 10: F32 table, BF16 matrix, F32 norm, F16 head, with llama.cpp-like metadata. */
    private static TinyGgufWriter tinyModel() {
        return new TinyGgufWriter().string("general.architecture", "internlm2").u32("general.alignment", 32)
                .stringArray("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>").i32Array("tokenizer.ggml.token_type", 2, 3, 3)
                .f32("internlm2.attention.layer_norm_rms_epsilon", 1e-5f)
                .tensor("token_embd.weight", F32, 10 * 4 * 4, 4, 10)
                .tensor("blk.0.attn_q.weight", BF16, 4 * 4 * 2, 4, 4)
                .tensor("blk.0.attn_norm.weight", F32, 4 * 4, 4);
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("model.gguf"), bytes);
    }

    @Test
    void readsNamesShapesTypesAndScalarMetadata() throws IOException {
        GgufFile gguf = GgufFile.read(write(tinyModel().tensor("output.weight", F16, 10 * 4 * 2, 4, 10).bytes()));

        assertThat(gguf.version()).isEqualTo(3);
        assertThat(gguf.tensors()).extracting(GgufTensor::name).containsExactly("token_embd.weight",
                "blk.0.attn_q.weight", "blk.0.attn_norm.weight", "output.weight");
        assertThat(gguf.tensors()).extracting(GgufTensor::type).containsExactly(GgufType.F32, GgufType.BF16,
                GgufType.F32, GgufType.F16);
        assertThat(gguf.tensor("token_embd.weight").dims()).containsExactly(4, 10);
        assertThat(gguf.tensor("output.weight").offset()).isEqualTo(160 + 32 + 32);
        assertThat(gguf.metadata()).containsEntry("general.architecture", "internlm2")
                .containsEntry("general.alignment", 32L).doesNotContainKey("tokenizer.ggml.tokens");
        assertThat((Double) gguf.metadata().get("internlm2.attention.layer_norm_rms_epsilon")).isCloseTo(1e-5, within());
        assertThat(gguf.typeSummary()).isEqualTo("BF16, F16, F32");
    }

    @Test
    void aDecodeStepReadsEveryTensorButOneRowOfTheTokenTable() throws IOException {
        GgufFile gguf = GgufFile.read(write(tinyModel().tensor("output.weight", F16, 10 * 4 * 2, 4, 10).bytes()));

        // one table row (4 x F32) + BF16 matrix + F32 norm + F16 head
        assertThat(gguf.decodeStepBytes()).isEqualTo(4 * 4 + 16 * 2 + 4 * 4 + 40 * 2);
    }

    @Test
    void aTiedHeadReadsTheWholeTokenTable() throws IOException {
        GgufFile gguf = GgufFile.read(write(tinyModel().bytes()));

        assertThat(gguf.decodeStepBytes()).isEqualTo(40 * 4 + 4 * 4 + 16 * 2 + 4 * 4);
    }

    @Test
    void refusesQuantizedWeightsNamingTheTensorAndType() throws IOException {
        // Q8_0: blocks of 32 weights in 34 bytes
        GgufFile gguf = GgufFile.read(write(tinyModel().tensor("blk.0.ffn_up.weight", Q8_0, 34, 32, 1).bytes()));

        assertThatThrownBy(gguf::decodeStepBytes).isInstanceOf(GgufException.class)
                .hasMessageContaining("'blk.0.ffn_up.weight' is Q8_0").hasMessageContaining("F32, F16 or BF16");
    }

    @Test
    void refusesAFileCutInsideItsHeader() throws IOException {
        byte[] whole = tinyModel().bytes();
        Path cut = write(Arrays.copyOf(whole, 200)); // inside the token-type array

        assertThatThrownBy(() -> GgufFile.read(cut)).isInstanceOf(GgufException.class)
                .hasMessageContaining(cut + ": truncated GGUF file: it ends inside");
        Path tooShort = write(Arrays.copyOf(whole, 100)); // too short for the entries the counts promise

        assertThatThrownBy(() -> GgufFile.read(tooShort)).isInstanceOf(GgufException.class)
                .hasMessageContaining("truncated or corrupt GGUF file: its header claims 3 tensors and 5 metadata");
    }

    @Test
    void refusesAFileCutInsideItsData() throws IOException {
        byte[] whole = tinyModel().bytes();
        Path cut = write(Arrays.copyOf(whole, whole.length - 20)); // the last tensor's 16 bytes end 16 before the end

        assertThatThrownBy(() -> GgufFile.read(cut)).isInstanceOf(GgufException.class)
                .hasMessageContaining("truncated GGUF file: tensor 'blk.0.attn_norm.weight' ends at byte");
    }

    @Test
    void refusesGarbageThatIsNotGguf() throws IOException {
        byte[] noise = new byte[4096];
        new SplittableRandom(7).nextBytes(noise);
        Path garbage = write(noise);

        assertThatThrownBy(() -> GgufFile.read(garbage)).isInstanceOf(GgufException.class)
                .hasMessageContaining("is not a GGUF file");
    }

    @Test
    void refusesGarbageAfterAValidMagic() throws IOException {
        byte[] noise = new byte[4096];
        new SplittableRandom(11).nextBytes(noise);
        System.arraycopy(Arrays.copyOf(tinyModel().bytes(), 8), 0, noise, 0, 8); // magic and version only
        Path garbage = write(noise);

        assertThatThrownBy(() -> GgufFile.read(garbage)).isInstanceOf(GgufException.class)
                .hasMessageMatching(".*(corrupt|truncated) GGUF.*");
    }

    @Test
    void namesAMissingFile() {
        Path missing = dir.resolve("absent.gguf");

        assertThatThrownBy(() -> GgufFile.read(missing)).isInstanceOf(GgufException.class)
                .hasMessage("no GGUF file at " + missing);
    }

    @Test
    void refusesAnUnknownTensorType() throws IOException {
        Path file = write(tinyModel().tensor("odd.weight", 99, 4, 4).bytes());

        assertThatThrownBy(() -> GgufFile.read(file)).isInstanceOf(GgufException.class)
                .hasMessageContaining("unknown GGML tensor type id 99");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
