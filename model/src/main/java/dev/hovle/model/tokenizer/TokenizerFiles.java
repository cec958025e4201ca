package dev.hovle.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hovle.model.tokenizer.SentencePieceModel.ModelType;
import dev.hovle.model.tokenizer.SentencePieceModel.Piece;
import dev.hovle.model.tokenizer.SentencePieceModel.PieceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the tokenizer files of a new (randomly initialised) snapshot in the InternLM2 / InternVL layout, with a
 * SentencePiece BPE model trained here on a small built-in English corpus.
 *
 * <p>Ids: {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2, byte pieces {@code <0x00>..<0xFF>} 3..258 (byte fallback,
 * so any text encodes), trained pieces, unused padding pieces up to the requested size, the six chat tokens
 * ({@link #CHAT_TOKENS}) as the last SentencePiece ids, then the nine InternVL tokens ({@link #INTERNVL_TOKENS}) in
 * {@code added_tokens.json}. For {@code vocabSize} 92553 every special token gets its id of the released HoVLE
 * tokenizer ({@code <|im_end|>} 92542, {@code <IMG_CONTEXT>} 92546, …). The normaliser adds no dummy prefix and keeps
 * whitespace, like InternLM2's.
 */
public final class TokenizerFiles {

    /** The InternLM2 chat tokens, in id order; the last SentencePiece ids. */
    public static final List<String> CHAT_TOKENS = List.of(
            "<|plugin|>", "<|interpreter|>", "<|action_end|>", "<|action_start|>", "<|im_end|>", "<|im_start|>");

    /** The InternVL tokens of {@code added_tokens.json}, in id order, after the SentencePiece ids. */
    public static final List<String> INTERNVL_TOKENS = List.of(
            "<img>", "</img>", "<IMG_CONTEXT>", "<quad>", "</quad>", "<ref>", "</ref>", "<box>", "</box>");

    /** The smallest vocabulary: 3 base specials, 256 bytes, the space piece "▁" and the 15 chat and InternVL tokens. */
    public static final int MIN_VOCAB_SIZE = 3 + 256 + 1 + CHAT_TOKENS.size() + INTERNVL_TOKENS.size();

    private static final String CORPUS_RESOURCE = "corpus.txt";

    private TokenizerFiles() {
    }

    /**
     * Writes {@code tokenizer.model}, {@code added_tokens.json}, {@code tokenizer_config.json} and
     * {@code special_tokens_map.json} into {@code dir} (created if needed) for a vocabulary of exactly
     * {@code vocabSize} ids; {@link HoVLETokenizer#load} reads them back.
     *
     * @return the files written
     */
    public static List<Path> write(Path dir, int vocabSize) throws IOException {
        if (vocabSize < MIN_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is below the minimum of "
                    + MIN_VOCAB_SIZE + " (3 base specials, 256 byte pieces, the space piece, 15 chat and image tokens)");
        }
        Files.createDirectories(dir);
        SentencePieceModel model = buildModel(vocabSize - INTERNVL_TOKENS.size());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        Path modelFile = dir.resolve(SentencePieceTokenizer.MODEL_FILE);
        Files.write(modelFile, model.toBytes());
        Path added = dir.resolve(TokenizerConfig.ADDED_TOKENS_FILE);
        json.writeValue(added.toFile(), new TreeMap<>(addedTokenIds(model.pieces().size())));
        Path config = dir.resolve(TokenizerConfig.CONFIG_FILE);
        json.writeValue(config.toFile(), tokenizerConfig(model.pieces().size()));
        Path specialMap = dir.resolve(TokenizerConfig.SPECIAL_TOKENS_MAP_FILE);
        json.writeValue(specialMap.toFile(), specialTokensMap());
        return List.of(modelFile, added, config, specialMap);
    }

    /** The SentencePiece part of the vocabulary: {@code pieceCount} pieces, chat tokens last. */
    static SentencePieceModel buildModel(int pieceCount) {
        List<Piece> pieces = new ArrayList<>(pieceCount);
        pieces.add(new Piece("<unk>", 0f, PieceType.UNKNOWN));
        pieces.add(new Piece("<s>", 0f, PieceType.CONTROL));
        pieces.add(new Piece("</s>", 0f, PieceType.CONTROL));
        for (int b = 0; b < 256; b++) {
            pieces.add(new Piece(String.format("<0x%02X>", b), 0f, PieceType.BYTE));
        }
        int budget = pieceCount - pieces.size() - CHAT_TOKENS.size();
        List<Piece> trained = BpeTrainer.train(corpus(), budget, requiredChars());
        pieces.addAll(trained);
        // Padding pieces are never produced: no merge path leads to them. Scores sort them after every real piece.
        float lowest = trained.isEmpty() ? 0f : trained.get(trained.size() - 1).score();
        for (int k = 0; pieces.size() < pieceCount - CHAT_TOKENS.size(); k++) {
            pieces.add(new Piece("<unused" + k + ">", lowest - 1 - k, PieceType.NORMAL));
        }
        for (String token : CHAT_TOKENS) {
            pieces.add(new Piece(token, 0f, PieceType.USER_DEFINED));
        }
        Set<String> seen = new HashSet<>();
        for (Piece piece : pieces) {
            if (!seen.add(piece.text())) {
                throw new IllegalStateException("piece '" + piece.text() + "' would appear twice");
            }
        }
        return new SentencePieceModel(pieces, ModelType.BPE, true, false, false);
    }

    /** Printable ASCII, the space symbol and newline: English text never needs byte fallback. */
    private static List<String> requiredChars() {
        List<String> chars = new ArrayList<>();
        chars.add(BpeTrainer.SPACE);
        chars.add("\n");
        for (char c = '!'; c <= '~'; c++) {
            chars.add(String.valueOf(c));
        }
        return chars;
    }

    private static String corpus() {
        try (InputStream in = TokenizerFiles.class.getResourceAsStream(CORPUS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + CORPUS_RESOURCE + " next to "
                        + TokenizerFiles.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Integer> addedTokenIds(int firstId) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < INTERNVL_TOKENS.size(); i++) {
            ids.put(INTERNVL_TOKENS.get(i), firstId + i);
        }
        return ids;
    }

    private static Map<String, Object> tokenizerConfig(int pieceCount) {
        Map<String, Object> decoder = new LinkedHashMap<>();
        List<String> base = List.of("<unk>", "<s>", "</s>");
        for (int id = 0; id < base.size(); id++) {
            decoder.put(Integer.toString(id), addedToken(base.get(id), true));
        }
        int chatStart = pieceCount - CHAT_TOKENS.size();
        for (int i = 0; i < CHAT_TOKENS.size(); i++) {
            decoder.put(Integer.toString(chatStart + i), addedToken(CHAT_TOKENS.get(i), true));
        }
        addedTokenIds(pieceCount).forEach((token, id) -> decoder.put(id.toString(), addedToken(token, true)));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("added_tokens_decoder", decoder);
        config.put("additional_special_tokens", additionalSpecialTokens());
        // Python users load these files with InternLM2's tokenization_internlm2.py placed beside them.
        config.put("auto_map", Map.of("AutoTokenizer", Arrays.asList("tokenization_internlm2.InternLM2Tokenizer",
                null)));
        config.put("bos_token", "<s>");
        config.put("clean_up_tokenization_spaces", false);
        config.put("eos_token", "</s>");
        config.put("pad_token", "</s>");
        config.put("tokenizer_class", "InternLM2Tokenizer");
        config.put("unk_token", "<unk>");
        return config;
    }

    private static Map<String, Object> specialTokensMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("additional_special_tokens", additionalSpecialTokens());
        map.put("bos_token", addedToken("<s>", null));
        map.put("eos_token", addedToken("</s>", null));
        map.put("pad_token", addedToken("</s>", null));
        map.put("unk_token", addedToken("<unk>", null));
        return map;
    }

    private static List<String> additionalSpecialTokens() {
        return Stream.concat(CHAT_TOKENS.stream(), INTERNVL_TOKENS.stream()).toList();
    }

    /** HF's serialised AddedToken; {@code special} is left out in special_tokens_map.json, as HF writes it. */
    private static Map<String, Object> addedToken(String content, Boolean special) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("content", content);
        token.put("lstrip", false);
        token.put("normalized", false);
        token.put("rstrip", false);
        token.put("single_word", false);
        if (special != null) {
            token.put("special", special);
        }
        return token;
    }
}
