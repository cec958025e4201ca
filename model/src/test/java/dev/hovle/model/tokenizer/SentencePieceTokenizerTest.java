package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.sentencepiece.SpTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentencePieceTokenizerTest {

    @TempDir
    static Path dir;

    private static HoVLETokenizer tokenizer;

    @BeforeAll
    static void writeTokenizer() throws IOException {
        TokenizerFiles.write(dir, 1024);
        tokenizer = HoVLETokenizer.load(dir);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void roundTripsEnglishTextWithMergedPieces() {
        String text = "Question: how many red circles are above the blue square?\nAnswer: There are 3 circles.";

        int[] ids = tokenizer.encode(text, false);

        assertThat(tokenizer.decode(ids)).isEqualTo(text);
        assertThat(ids.length).isLessThan(text.length() / 2);
    }

    @Test
    void roundTripsNonAsciiTextThroughByteFallback() {
        String text = "Größe: 颜色是什么？ 🌍 naïve";

        int[] ids = tokenizer.encode(text, false);

        assertThat(tokenizer.decode(ids)).isEqualTo(text);
        // The globe is not in the vocabulary: its four UTF-8 bytes come out as byte pieces.
        byte[] globe = "🌍".getBytes(StandardCharsets.UTF_8);
        int[] globeIds = IntStream.range(0, globe.length).map(i -> 3 + (globe[i] & 0xFF)).toArray();
        assertThat(Arrays.toString(ids)).contains(Arrays.toString(globeIds).replaceAll("[\\[\\]]", ""));
    }

    @Test
    void decodesBasicPlaneTextExactlyAsDjlSentencePieceDoes() throws IOException {
        String text = "A café: 颜色 naïve,  3 circles.\n\tend ";
        int[] ids = tokenizer.encode(text, false);

        try (SpTokenizer sp = new SpTokenizer(dir.resolve("tokenizer.model"))) {
            assertThat(tokenizer.decode(ids)).isEqualTo(sp.getProcessor().decode(ids)).isEqualTo(text);
        }
    }

    @Test
    void decodesInvalidByteSequencesAsReplacementCharacters() {
        assertThat(tokenizer.decode(new int[] {3 + 0xE4, 3 + 'x', 3 + 0xFF})).isEqualTo("\uFFFDx\uFFFD");
    }

    @Test
    void keepsWhitespaceExactlyWithoutDummyPrefix() {
        for (String text : List.of(" leading space", "two  spaces", "trailing ", "\n\nnewlines\n", "\ttab")) {
            assertThat(tokenizer.decode(tokenizer.encode(text, false))).as(text).isEqualTo(text);
        }
    }

    @Test
    void splitsSpecialTokensOutBeforeSentencePiece() {
        int[] ids = tokenizer.encode("<|im_start|>user\n", false);

        assertThat(ids[0]).isEqualTo(tokenizer.tokenId("<|im_start|>"));
        int[] rest = Arrays.copyOfRange(ids, 1, ids.length);
        // No dummy prefix: the run after the special token encodes exactly as the bare text does.
        assertThat(rest).isEqualTo(tokenizer.encode("user\n", false));
        assertThat(tokenizer.decode(rest)).isEqualTo("user\n");
    }

    @Test
    void splitsAdjacentAndRepeatedSpecialTokens() {
        int context = tokenizer.tokenId("<IMG_CONTEXT>");

        int[] ids = tokenizer.encode("<img><IMG_CONTEXT><IMG_CONTEXT></img>\nWhat", false);

        assertThat(Arrays.copyOfRange(ids, 0, 4)).containsExactly(
                tokenizer.tokenId("<img>"), context, context, tokenizer.tokenId("</img>"));
        assertThat(tokenizer.decode(Arrays.copyOfRange(ids, 4, ids.length))).isEqualTo("\nWhat");
    }

    @Test
    void decodeSkipsSpecialTokens() {
        int[] ids = tokenizer.encode("<|im_start|>assistant\nA red circle.<|im_end|></s>");

        assertThat(tokenizer.decode(ids)).isEqualTo("assistant\nA red circle.");
    }

    @Test
    void addsBosExactlyOnce() {
        int[] ids = tokenizer.encode("a blue square");

        assertThat(ids[0]).isEqualTo(tokenizer.bosId());
        assertThat(Arrays.stream(ids).filter(id -> id == tokenizer.bosId()).count()).isEqualTo(1);
        assertThat(tokenizer.encode("a blue square", false)[0]).isNotEqualTo(tokenizer.bosId());
        assertThat(tokenizer.encode("")).containsExactly(tokenizer.bosId());
    }

    @Test
    void rejectsUnknownSpecialTokenByName() {
        assertThatThrownBy(() -> tokenizer.tokenId("<|endoftext|>"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<|endoftext|>");
    }

    @Test
    void encodesConcurrentlyWithTheSameResults() {
        List<String> texts = IntStream.range(0, 200)
                .mapToObj(i -> "<|im_start|>user\nhow many squares, " + i + "? größe<|im_end|>").toList();
        List<int[]> sequential = texts.stream().map(tokenizer::encode).toList();

        List<int[]> parallel = texts.parallelStream().map(tokenizer::encode).toList();

        for (int i = 0; i < texts.size(); i++) {
            assertThat(parallel.get(i)).isEqualTo(sequential.get(i));
        }
    }
}
