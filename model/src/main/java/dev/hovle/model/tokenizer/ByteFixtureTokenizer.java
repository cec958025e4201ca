package dev.hovle.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The byte-level tokenizer of the golden fixtures (golden README §3.2): added tokens become their ids, every other
 * UTF-8 byte {@code b} becomes {@code byteIdOffset + b}, and BOS is prepended.
 *
 * <p>Ids that are neither bytes nor added tokens (259..304 in the fixtures) are ordinary vocabulary rows a random
 * model may generate; they carry no text and decode to nothing.
 */
final class ByteFixtureTokenizer implements HoVLETokenizer {

    private final AddedTokens added;
    private final int vocabSize;
    private final int byteIdOffset;
    private final boolean addBos;
    private final int bosId;
    private final int eosId;

    ByteFixtureTokenizer(AddedTokens added, int vocabSize, int byteIdOffset, boolean addBos, int bosId, int eosId) {
        if (byteIdOffset < 0 || byteIdOffset + 256 > vocabSize) {
            throw new IllegalArgumentException("byte ids " + byteIdOffset + ".." + (byteIdOffset + 255)
                    + " do not fit a vocabulary of " + vocabSize);
        }
        if (added.maxId() >= vocabSize) {
            throw new IllegalArgumentException("added token '" + added.content(added.maxId()) + "' has id "
                    + added.maxId() + ", outside the vocabulary of " + vocabSize);
        }
        for (int id : added.asMap().values()) {
            if (id >= byteIdOffset && id < byteIdOffset + 256) {
                throw new IllegalArgumentException("added token '" + added.content(id) + "' has id " + id
                        + ", inside the byte range " + byteIdOffset + ".." + (byteIdOffset + 255));
            }
        }
        this.added = added;
        this.vocabSize = vocabSize;
        this.byteIdOffset = byteIdOffset;
        this.addBos = addBos;
        this.bosId = bosId;
        this.eosId = eosId;
    }

    /** From a {@code tokenizer_config.json} whose class is {@value HoVLETokenizer#BYTE_FIXTURE_CLASS}. */
    static ByteFixtureTokenizer fromConfig(TokenizerConfig config, Path dir) {
        String where = dir.resolve(TokenizerConfig.CONFIG_FILE).toString();
        AddedTokens added = config.addedTokens();
        return new ByteFixtureTokenizer(added,
                require(config.vocabSize(), where, "vocab_size"),
                require(config.byteIdOffset(), where, "byte_id_offset"),
                require(config.addBosToken(), where, "add_bos_token"),
                idOf(added, require(config.bosToken(), where, "bos_token"), where),
                idOf(added, require(config.eosToken(), where, "eos_token"), where));
    }

    /** From a golden {@code case.json}: {@code special_token_ids} plus the {@code tokenizer} block. */
    static ByteFixtureTokenizer fromGoldenCase(Path caseJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(caseJson.toFile());
        String where = caseJson.toString();
        JsonNode ids = root.path("special_token_ids");
        JsonNode spec = root.path("tokenizer");
        if (!ids.isObject() || !spec.isObject()) {
            throw new IllegalArgumentException(where + " has no special_token_ids or tokenizer block");
        }
        Map<String, Integer> table = new LinkedHashMap<>();
        ids.fields().forEachRemaining(e -> table.put(e.getKey(), e.getValue().asInt()));
        // Every entry of the fixture table is special (README §3.2); </s> is the tokenizer's EOS.
        AddedTokens added = new AddedTokens(table, table.keySet());
        int bosId = requireInt(spec, "bos_id", where);
        Integer bosFromTable = table.get("<s>");
        if (bosFromTable == null || bosFromTable != bosId) {
            throw new IllegalArgumentException(where + ": tokenizer.bos_id " + bosId
                    + " differs from special_token_ids.<s> " + bosFromTable);
        }
        if (!spec.path("add_bos").isBoolean()) {
            throw new IllegalArgumentException(where + " lacks boolean tokenizer.add_bos");
        }
        return new ByteFixtureTokenizer(added,
                requireInt(spec, "vocab_size", where),
                requireInt(spec, "byte_id_offset", where),
                spec.get("add_bos").asBoolean(),
                bosId,
                idOf(added, "</s>", where));
    }

    @Override
    public int[] encode(String text, boolean withBos) {
        IdBuffer out = new IdBuffer(text.length() + 1);
        if (withBos) {
            out.add(bosId);
        }
        added.split(text, new AddedTokens.Sink() {
            @Override
            public void token(int id) {
                out.add(id);
            }

            @Override
            public void text(String run) {
                for (byte b : run.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteIdOffset + (b & 0xFF));
                }
            }
        });
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (isSpecial(id)) {
                continue;
            }
            String addedText = added.content(id);
            if (addedText != null) {
                bytes.writeBytes(addedText.getBytes(StandardCharsets.UTF_8));
            } else if (id >= byteIdOffset && id < byteIdOffset + 256) {
                bytes.write(id - byteIdOffset);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int tokenId(String token) {
        Integer id = added.id(token);
        if (id == null) {
            throw new IllegalArgumentException("unknown special token '" + token + "': the byte fixture tokenizer has "
                    + added.asMap().keySet());
        }
        return id;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    @Override
    public boolean isSpecial(int id) {
        return added.isSpecial(id);
    }

    @Override
    public String toString() {
        return "ByteFixtureTokenizer[vocab=" + vocabSize + ", byteIdOffset=" + byteIdOffset + "]";
    }

    private static <T> T require(T value, String where, String key) {
        if (value == null) {
            throw new IllegalArgumentException(where + " lacks \"" + key + "\", which the byte fixture tokenizer needs");
        }
        return value;
    }

    private static int requireInt(JsonNode spec, String key, String where) {
        if (!spec.path(key).isInt()) {
            throw new IllegalArgumentException(where + " lacks integer tokenizer." + key);
        }
        return spec.get(key).asInt();
    }

    private static int idOf(AddedTokens added, String token, String where) {
        Integer id = added.id(token);
        if (id == null) {
            throw new IllegalArgumentException(where + ": special token '" + token + "' has no id in the table");
        }
        return id;
    }
}
