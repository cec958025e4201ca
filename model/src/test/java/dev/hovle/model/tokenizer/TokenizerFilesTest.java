package dev.hovle.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.sentencepiece.SpTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {

    @TempDir
    Path dir;

    /** The ids of the released HoVLE tokenizer (hovle-model.md §4, golden README §3.2). */
    private static Map<String, Integer> releasedSpecialIds() {
        Map<String, Integer> ids = new LinkedHashMap<>();
        ids.put("<unk>", 0);
        ids.put("<s>", 1);
        ids.put("</s>", 2);
        int id = 92538;
        for (String token : TokenizerFiles.CHAT_TOKENS) {
            ids.put(token, id++);
        }
        for (String token : TokenizerFiles.INTERNVL_TOKENS) {
            ids.put(token, id++);
        }
        return ids;
    }

    @Test
    void writesRealShapeVocabularyWithTheReleasedSpecialIds() throws IOException {
        TokenizerFiles.write(dir, 92553);

        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            assertThat(tokenizer.vocabSize()).isEqualTo(92553);
            releasedSpecialIds().forEach((token, id) -> {
                assertThat(tokenizer.tokenId(token)).as(token).isEqualTo(id);
                assertThat(tokenizer.isSpecial(id)).as(token).isTrue();
            });
            assertThat(tokenizer.bosId()).isEqualTo(1);
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.addsBos()).isTrue();
            String text = "a red circle above a blue square";
            assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void writesSmallVocabularyWithSpecialTokensAtTheTop() throws IOException {
        TokenizerFiles.write(dir, 1024);

        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            assertThat(tokenizer.vocabSize()).isEqualTo(1024);
            assertThat(tokenizer.tokenId("<unk>")).isZero();
            assertThat(tokenizer.tokenId("<s>")).isEqualTo(1);
            assertThat(tokenizer.tokenId("</s>")).isEqualTo(2);
            for (int i = 0; i < TokenizerFiles.CHAT_TOKENS.size(); i++) {
                assertThat(tokenizer.tokenId(TokenizerFiles.CHAT_TOKENS.get(i))).isEqualTo(1024 - 15 + i);
            }
            for (int i = 0; i < TokenizerFiles.INTERNVL_TOKENS.size(); i++) {
                assertThat(tokenizer.tokenId(TokenizerFiles.INTERNVL_TOKENS.get(i))).isEqualTo(1024 - 9 + i);
            }
        }
    }

    @Test
    void writesHuggingFaceTokenizerFiles() throws IOException {
        TokenizerFiles.write(dir, 1024);
        ObjectMapper json = new ObjectMapper();

        JsonNode added = json.readTree(dir.resolve("added_tokens.json").toFile());
        assertThat(added.get("<IMG_CONTEXT>").asInt()).isEqualTo(1017);
        assertThat(added.size()).isEqualTo(9);
        JsonNode config = json.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("add_bos_token").asBoolean()).isTrue();
        assertThat(config.get("add_eos_token").asBoolean()).isFalse();
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("InternLM2Tokenizer");
        assertThat(config.get("added_tokens_decoder").size()).isEqualTo(18);
        assertThat(config.get("added_tokens_decoder").get("1013").get("content").asText()).isEqualTo("<|im_end|>");
        JsonNode map = json.readTree(dir.resolve("special_tokens_map.json").toFile());
        assertThat(map.get("additional_special_tokens").size()).isEqualTo(15);
        assertThat(map.get("bos_token").get("content").asText()).isEqualTo("<s>");
        assertThat(map.get("pad_token").get("content").asText()).isEqualTo("</s>");
    }

    @Test
    void writesModelThatDjlSentencePieceLoadsAndUses() throws IOException {
        TokenizerFiles.write(dir, 1024);

        try (SpTokenizer sp = new SpTokenizer(dir.resolve("tokenizer.model"))) {
            assertThat(sp.tokenize("a red circle above a blue square"))
                    .containsExactly("a", "▁red", "▁circle", "▁above", "▁a", "▁blue", "▁square");
            assertThat(sp.getProcessor().getId("<0x41>")).isEqualTo(3 + 0x41);
            assertThat(sp.getProcessor().getToken(1014)).isEqualTo("<|im_start|>");
            assertThat(sp.getProcessor().decode(sp.getProcessor().encode("how many squares?")))
                    .isEqualTo("how many squares?");
        }
    }

    @Test
    void writesTheSameModelEveryTime() throws IOException {
        byte[] first = TokenizerFiles.buildModel(1015).toBytes();
        byte[] second = TokenizerFiles.buildModel(1015).toBytes();

        assertThat(first).isEqualTo(second);
    }

    @Test
    void rejectsVocabularyTooSmallForTheSpecialTokens() {
        assertThatThrownBy(() -> TokenizerFiles.write(dir, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("200")
                .hasMessageContaining(Integer.toString(TokenizerFiles.MIN_VOCAB_SIZE));
    }

    @Test
    void writesSmallestVocabularyThatStillEncodesEverythingAsBytes() throws IOException {
        TokenizerFiles.write(dir, TokenizerFiles.MIN_VOCAB_SIZE);

        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            assertThat(tokenizer.encode("ab", false)).containsExactly(3 + 'a', 3 + 'b');
            assertThat(tokenizer.decode(tokenizer.encode("ab ü"))).isEqualTo("ab ü");
            assertThat(tokenizer.encode(" ", false)).containsExactly(259);
        }
    }
}
