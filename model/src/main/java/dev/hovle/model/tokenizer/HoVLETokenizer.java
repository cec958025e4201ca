package dev.hovle.model.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Text ↔ token ids for a HoVLE snapshot: the InternLM2 SentencePiece tokenizer with its added tokens, or the byte
 * fixture tokenizer of the golden cases.
 *
 * <p>Added-token strings ({@code <|im_start|>}, {@code <IMG_CONTEXT>}, …) are cut out of the text first, longest match
 * first, and become their ids; the text between them goes through the base tokenizer. Implementations are immutable
 * and thread-safe; one instance is shared by every request. Close it when the model is unloaded (the SentencePiece
 * one holds native memory).
 *
 * <p>Usage, as in {@code HoVLETokenizerLoadTest}:
 * <pre>{@code
 * try (HoVLETokenizer tokenizer = HoVLETokenizer.load(snapshotDir)) {
 *     int[] ids = tokenizer.encode(prompt.text());          // BOS first when add_bos_token is true
 *     int endOfTurn = tokenizer.tokenId("<|im_end|>");
 * }
 * }</pre>
 */
public interface HoVLETokenizer extends AutoCloseable {

    /** The {@code tokenizer_class} that selects {@link #load} the byte fixture tokenizer. */
    String BYTE_FIXTURE_CLASS = "HoVLEByteFixtureTokenizer";

    /** Encodes {@code text}, prepending BOS when the tokenizer configuration says so ({@link #addsBos()}). */
    default int[] encode(String text) {
        return encode(text, addsBos());
    }

    /** Encodes {@code text}, prepending BOS exactly when {@code addBos} is true. */
    int[] encode(String text, boolean addBos);

    /** Decodes ids to text, skipping special tokens; invalid UTF-8 byte sequences become U+FFFD. */
    String decode(int[] ids);

    /**
     * The id of an added or special token string such as {@code <|im_end|>}.
     *
     * @throws IllegalArgumentException naming the token when the vocabulary does not have it
     */
    int tokenId(String token);

    /** Number of ids, i.e. rows of the embedding table this tokenizer feeds. */
    int vocabSize();

    int bosId();

    int eosId();

    /** Whether {@link #encode(String)} prepends BOS ({@code add_bos_token}). */
    boolean addsBos();

    /** Whether {@code id} is a special token ({@link #decode} skips those). */
    boolean isSpecial(int id);

    @Override
    default void close() {
    }

    /**
     * Loads the tokenizer of a snapshot directory: SentencePiece when {@code tokenizer.model} exists, the byte fixture
     * tokenizer when {@code tokenizer_config.json} has {@code "tokenizer_class": "HoVLEByteFixtureTokenizer"}.
     *
     * @throws NoSuchFileException naming the expected files when the directory has neither
     */
    static HoVLETokenizer load(Path snapshotDir) throws IOException {
        if (Files.isRegularFile(snapshotDir.resolve(SentencePieceTokenizer.MODEL_FILE))) {
            return SentencePieceTokenizer.load(snapshotDir);
        }
        TokenizerConfig config = TokenizerConfig.read(snapshotDir);
        if (BYTE_FIXTURE_CLASS.equals(config.tokenizerClass())) {
            return ByteFixtureTokenizer.fromConfig(config, snapshotDir);
        }
        throw new NoSuchFileException(snapshotDir.toString(), null, "no tokenizer: expected "
                + SentencePieceTokenizer.MODEL_FILE + " (SentencePiece, with " + TokenizerConfig.CONFIG_FILE + ", "
                + TokenizerConfig.ADDED_TOKENS_FILE + " and " + TokenizerConfig.SPECIAL_TOKENS_MAP_FILE
                + ") or a " + TokenizerConfig.CONFIG_FILE + " with \"tokenizer_class\": \"" + BYTE_FIXTURE_CLASS
                + "\"; TokenizerFiles.write creates the SentencePiece files for a new snapshot");
    }

    /**
     * The byte fixture tokenizer of a golden model case, built from its {@code case.json} ({@code special_token_ids}
     * and the {@code tokenizer} block); golden model folders carry no tokenizer files.
     */
    static HoVLETokenizer forGoldenCase(Path caseDir) throws IOException {
        return ByteFixtureTokenizer.fromGoldenCase(caseDir.resolve("case.json"));
    }
}
