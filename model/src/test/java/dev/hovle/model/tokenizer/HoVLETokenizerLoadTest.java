package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoVLETokenizerLoadTest {

    @TempDir
    Path dir;

    @Test
    void picksSentencePieceWhenTokenizerModelExists() throws IOException {
        TokenizerFiles.write(dir, 512);

        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            assertThat(tokenizer).isInstanceOf(SentencePieceTokenizer.class);
            int[] ids = tokenizer.encode("What is shown in the picture?");
            assertThat(ids[0]).isEqualTo(tokenizer.bosId());
            int endOfTurn = tokenizer.tokenId("<|im_end|>");
            assertThat(endOfTurn).isEqualTo(512 - 9 - 2);
        }
    }

    @Test
    void picksByteFixtureWhenTheConfigNamesIt() throws IOException {
        Path snapshot = Path.of(getClass().getResource("/tokenizer/fixture/tokenizer_config.json").getPath())
                .getParent();

        assertThat(HoVLETokenizer.load(snapshot)).isInstanceOf(ByteFixtureTokenizer.class);
    }

    @Test
    void failsNamingTheMissingFilesForSnapshotWithoutTokenizer() {
        // Golden model folders hold config.json and weights but no tokenizer files.
        Path goldenCase = GoldenCases.modelCases().get(0);

        assertThatThrownBy(() -> HoVLETokenizer.load(goldenCase))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("tokenizer.model")
                .hasMessageContaining("tokenizer_config.json")
                .hasMessageContaining(HoVLETokenizer.BYTE_FIXTURE_CLASS);
    }
}
