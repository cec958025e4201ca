package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingDetokenizerTest {

    private static final String TEXT = "A café: 颜色 🌍🌍 naïve, 3 circles.";

    @TempDir
    Path dir;

    @Test
    void neverEmitsBrokenCharactersFromByteTokens() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));

        assertStreamsIntact(tokenizer, tokenizer.encode(TEXT, false));
    }

    @Test
    void neverEmitsBrokenCharactersFromSentencePieceByteFallback() throws IOException {
        TokenizerFiles.write(dir, 1024);
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            assertStreamsIntact(tokenizer, tokenizer.encode(TEXT, false));
        }
    }

    @Test
    void emitsNothingForSpecialTokens() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);

        assertThat(stream.push(3 + 'o')).isEqualTo("o");
        assertThat(stream.push(tokenizer.tokenId("<|im_end|>"))).isEmpty();
        assertThat(stream.push(3 + 'k')).isEqualTo("k");
        assertThat(stream.text()).isEqualTo("ok");
    }

    @Test
    void finishReleasesAnIncompleteTrailingCharacter() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);

        assertThat(stream.push(3 + 'a')).isEqualTo("a");
        assertThat(stream.push(3 + 0xE4)).isEmpty();
        assertThat(stream.push(3 + 0xBD)).isEmpty();
        assertThat(stream.finish()).isEqualTo("\uFFFD");
    }

    private static void assertStreamsIntact(HoVLETokenizer tokenizer, int[] ids) {
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String delta = stream.push(id);
            assertThat(delta).doesNotContain("\uFFFD");
            assertThat(delta.isEmpty() || !Character.isLowSurrogate(delta.charAt(0))).isTrue();
            assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1))).isTrue();
            streamed.append(delta);
        }
        streamed.append(stream.finish());
        assertThat(streamed.toString()).isEqualTo(TEXT).isEqualTo(stream.text());
        assertThat(stream.tokenCount()).isEqualTo(ids.length);
    }
}
