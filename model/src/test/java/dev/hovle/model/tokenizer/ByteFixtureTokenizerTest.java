package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ByteFixtureTokenizerTest {

    private static final Path CASE = GoldenCases.modelCases().get(0);

    @Test
    void encodesGoldenPromptToGoldenInputIds() throws IOException {
        for (Path caseDir : GoldenCases.modelCases()) {
            HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(caseDir);

            int[] ids = tokenizer.encode(GoldenCases.caseJson(caseDir).get("prompt").asText());

            assertThat(ids).as(caseDir.getFileName().toString())
                    .isEqualTo(GoldenCases.int64Tensor(caseDir, "input_ids"));
        }
    }

    @Test
    void encodesBytesAtOffsetThreeAndSpecialsAtTheTop() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(CASE);

        assertThat(tokenizer.encode("<|im_start|>é")).containsExactly(1, 310, 3 + 0xC3, 3 + 0xA9);
        assertThat(tokenizer.vocabSize()).isEqualTo(320);
        assertThat(tokenizer.tokenId("<IMG_CONTEXT>")).isEqualTo(313);
        assertThat(tokenizer.eosId()).isEqualTo(2);
    }

    @Test
    void loadsFromTokenizerConfigWithTheSameTable() throws IOException {
        Path snapshot = Path.of(getClass().getResource("/tokenizer/fixture/tokenizer_config.json").getPath())
                .getParent();
        HoVLETokenizer fromConfig = HoVLETokenizer.load(snapshot);
        HoVLETokenizer fromCase = HoVLETokenizer.forGoldenCase(CASE);
        String prompt = GoldenCases.caseJson(CASE).get("prompt").asText();

        assertThat(fromConfig.encode(prompt)).isEqualTo(fromCase.encode(prompt));
        assertThat(fromConfig.vocabSize()).isEqualTo(fromCase.vocabSize());
        assertThat(fromConfig.tokenId("<|im_end|>")).isEqualTo(309);
    }

    @Test
    void decodeSkipsSpecialAndUnusedIds() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(CASE);

        assertThat(tokenizer.decode(new int[] {1, 310, 3 + 'h', 280, 3 + 'i', 309})).isEqualTo("hi");
    }

    @Test
    void rejectsUnknownSpecialTokenByName() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(CASE);

        assertThatThrownBy(() -> tokenizer.tokenId("<image>"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'<image>'");
    }
}
