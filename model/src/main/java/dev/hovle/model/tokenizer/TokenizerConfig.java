package dev.hovle.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a snapshot's Hugging Face tokenizer files say: {@code tokenizer_config.json}, {@code added_tokens.json} and
 * {@code special_tokens_map.json}, each optional.
 *
 * @param tokenizerClass {@code tokenizer_class}, or null
 * @param addBosToken {@code add_bos_token}, or null when no file sets it
 * @param bosToken the BOS string, or null
 * @param eosToken the EOS string, or null
 * @param unkToken the unknown-token string, or null
 * @param addedTokens every added token (split out before the base tokenizer) and which of them are special
 * @param vocabSize {@code vocab_size} (only the byte fixture tokenizer's config carries it), or null
 * @param byteIdOffset {@code byte_id_offset} (byte fixture tokenizer only), or null
 */
record TokenizerConfig(
        String tokenizerClass,
        Boolean addBosToken,
        String bosToken,
        String eosToken,
        String unkToken,
        AddedTokens addedTokens,
        Integer vocabSize,
        Integer byteIdOffset) {

    static final String CONFIG_FILE = "tokenizer_config.json";
    static final String ADDED_TOKENS_FILE = "added_tokens.json";
    static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads whichever of the three files exist in {@code dir}. */
    static TokenizerConfig read(Path dir) throws IOException {
        JsonNode config = readIfPresent(dir.resolve(CONFIG_FILE));
        JsonNode added = readIfPresent(dir.resolve(ADDED_TOKENS_FILE));
        JsonNode specialMap = readIfPresent(dir.resolve(SPECIAL_TOKENS_MAP_FILE));

        Map<String, Integer> tokens = new LinkedHashMap<>();
        Set<String> special = new HashSet<>();
        if (config.has("added_tokens_decoder")) {
            config.get("added_tokens_decoder").fields().forEachRemaining(entry -> {
                String content = requireText(entry.getValue().get("content"),
                        CONFIG_FILE + " added_tokens_decoder." + entry.getKey() + ".content");
                putToken(tokens, content, parseId(entry.getKey()), CONFIG_FILE);
                if (entry.getValue().path("special").asBoolean(false)) {
                    special.add(content);
                }
            });
        }
        added.fields().forEachRemaining(entry ->
                putToken(tokens, entry.getKey(), entry.getValue().asInt(), ADDED_TOKENS_FILE));
        for (JsonNode source : new JsonNode[] {config, specialMap}) {
            for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
                String content = tokenString(source.get(key));
                if (content != null) {
                    special.add(content);
                }
            }
            source.path("additional_special_tokens").forEach(node -> special.add(tokenString(node)));
        }

        return new TokenizerConfig(
                config.path("tokenizer_class").isTextual() ? config.get("tokenizer_class").asText() : null,
                config.path("add_bos_token").isBoolean() ? config.get("add_bos_token").asBoolean() : null,
                firstToken(config, specialMap, "bos_token"),
                firstToken(config, specialMap, "eos_token"),
                firstToken(config, specialMap, "unk_token"),
                new AddedTokens(tokens, special),
                config.path("vocab_size").isInt() ? config.get("vocab_size").asInt() : null,
                config.path("byte_id_offset").isInt() ? config.get("byte_id_offset").asInt() : null);
    }

    private static JsonNode readIfPresent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        JsonNode node = JSON.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException(file + " must hold a JSON object");
        }
        return node;
    }

    private static void putToken(Map<String, Integer> tokens, String content, int id, String file) {
        Integer previous = tokens.putIfAbsent(content, id);
        if (previous != null && previous != id) {
            throw new IllegalArgumentException("added token '" + content + "' has id " + previous
                    + " in one tokenizer file and " + id + " in " + file);
        }
    }

    private static int parseId(String key) {
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CONFIG_FILE + " added_tokens_decoder key '" + key
                    + "' is not a token id", e);
        }
    }

    private static String firstToken(JsonNode config, JsonNode specialMap, String key) {
        String fromConfig = tokenString(config.get(key));
        return fromConfig != null ? fromConfig : tokenString(specialMap.get(key));
    }

    /** A special-token value is either a plain string or an AddedToken object with {@code content}. */
    private static String tokenString(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        return requireText(node.get("content"), "special token object " + node);
    }

    private static String requireText(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return node.asText();
    }
}
