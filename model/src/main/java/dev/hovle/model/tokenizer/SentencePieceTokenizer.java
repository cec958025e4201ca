package dev.hovle.model.tokenizer;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import dev.hovle.model.tokenizer.SentencePieceModel.Piece;
import dev.hovle.model.tokenizer.SentencePieceModel.PieceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The InternLM2 tokenizer: a SentencePiece {@code tokenizer.model} run by DJL's SentencePiece binding, plus the added
 * tokens of the snapshot's HF tokenizer files.
 *
 * <p>Encoding follows HF's slow {@code InternLM2Tokenizer}: added-token strings are split out first and each text run
 * between them is encoded by SentencePiece on its own, so the model's dummy-prefix setting applies per run. The
 * released InternLM2 model adds no dummy prefix, so {@code "<|im_start|>user\n"} is {@code <|im_start|>}, {@code user},
 * {@code \n}.
 *
 * <p>Decoding is done here from the piece table rather than by DJL, whose JNI {@code decode} returns characters
 * outside the Basic Multilingual Plane (emoji) corrupted. It follows SentencePiece's decoder: "▁" becomes a space,
 * consecutive byte pieces are joined into UTF-8 (an invalid byte becomes U+FFFD), control pieces vanish, and the
 * first piece loses its leading space when the model adds a dummy prefix or removes extra whitespace.
 */
final class SentencePieceTokenizer implements HoVLETokenizer {

    static final String MODEL_FILE = "tokenizer.model";
    private static final char SPACE_SYMBOL = '\u2581';
    /** What SentencePiece prints for an unknown piece (TrainerSpec.unk_surface default). */
    private static final String UNKNOWN_SURFACE = " \u2047 ";

    private final SpTokenizer owner;
    private final SpProcessor sp;
    private final int pieceCount;
    private final AddedTokens added;
    /** Control, unknown and user-defined pieces by text: the special strings the model itself knows. */
    private final Map<String, Integer> reservedPieces;
    private final boolean[] specialPiece;
    /** Decoded text of each piece ("▁" already a space); null for byte, control and unknown pieces. */
    private final String[] pieceText;
    /** The byte of each byte piece, -1 elsewhere. */
    private final int[] pieceByte;
    private final boolean stripLeadingSpace;
    private final int vocabSize;
    private final boolean addBos;
    private final int bosId;
    private final int eosId;

    private SentencePieceTokenizer(byte[] modelBytes, SentencePieceModel model, TokenizerConfig config, Path dir) {
        List<Piece> pieces = model.pieces();
        this.pieceCount = pieces.size();
        this.added = config.addedTokens();
        this.reservedPieces = new HashMap<>();
        this.specialPiece = new boolean[pieceCount];
        this.pieceText = new String[pieceCount];
        this.pieceByte = new int[pieceCount];
        this.stripLeadingSpace = model.addDummyPrefix() || model.removeExtraWhitespaces();
        for (int id = 0; id < pieceCount; id++) {
            PieceType type = pieces.get(id).type();
            pieceByte[id] = type == PieceType.BYTE ? Integer.parseInt(pieces.get(id).text().substring(3, 5), 16) : -1;
            if (type == PieceType.NORMAL || type == PieceType.USER_DEFINED || type == PieceType.UNUSED) {
                pieceText[id] = pieces.get(id).text().replace(SPACE_SYMBOL, ' ');
            } else if (type == PieceType.UNKNOWN) {
                pieceText[id] = UNKNOWN_SURFACE;
            }
            if (type == PieceType.CONTROL || type == PieceType.UNKNOWN || type == PieceType.USER_DEFINED) {
                reservedPieces.put(pieces.get(id).text(), id);
            }
            specialPiece[id] = type == PieceType.CONTROL || type == PieceType.UNKNOWN;
        }
        // An added token that reuses a SentencePiece id must be that very piece, or the files disagree.
        added.asMap().forEach((content, id) -> {
            if (id < 0) {
                throw new IllegalArgumentException("added token '" + content + "' has negative id " + id);
            }
            if (id < pieceCount && !pieces.get(id).text().equals(content)) {
                throw new IllegalArgumentException(dir + ": added token '" + content + "' has id " + id
                        + " but " + MODEL_FILE + " has '" + pieces.get(id).text() + "' there");
            }
        });
        this.vocabSize = Math.max(pieceCount, added.maxId() + 1);
        // InternLM2Tokenizer's constructor defaults apply when the files leave these out.
        this.addBos = config.addBosToken() != null ? config.addBosToken() : true;
        this.bosId = tokenId(config.bosToken() != null ? config.bosToken() : "<s>");
        this.eosId = tokenId(config.eosToken() != null ? config.eosToken() : "</s>");
        this.owner = new SpTokenizer(modelBytes);
        this.sp = owner.getProcessor();
    }

    /** Loads {@code tokenizer.model} and the HF tokenizer files next to it. */
    static SentencePieceTokenizer load(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(MODEL_FILE));
        return new SentencePieceTokenizer(bytes, SentencePieceModel.parse(bytes), TokenizerConfig.read(dir), dir);
    }

    @Override
    public int[] encode(String text, boolean withBos) {
        IdBuffer out = new IdBuffer(text.length() / 2 + 2);
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
                out.addAll(sp.encode(run));
            }
        });
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        byte[] bytes = new byte[ids.length];
        int pendingBytes = 0;
        boolean atStart = true;
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize);
            }
            if (isSpecial(id)) {
                continue;
            }
            if (id < pieceCount && pieceByte[id] >= 0) {
                bytes[pendingBytes++] = (byte) pieceByte[id];
                continue;
            }
            String piece = id < pieceCount ? pieceText[id] : added.content(id);
            if (piece == null) {
                continue; // an id between the SentencePiece range and the added tokens: no text
            }
            if (pendingBytes > 0) {
                Utf8.decode(bytes, pendingBytes, text);
                pendingBytes = 0;
                atStart = false;
            }
            if (atStart && stripLeadingSpace && piece.startsWith(" ")) {
                piece = piece.substring(1);
            }
            text.append(piece);
            atStart = false;
        }
        Utf8.decode(bytes, pendingBytes, text);
        return text.toString();
    }

    @Override
    public int tokenId(String token) {
        Integer id = added.id(token);
        if (id == null) {
            id = reservedPieces.get(token);
        }
        if (id == null) {
            throw new IllegalArgumentException("unknown special token '" + token + "': neither an added token ("
                    + added.asMap().keySet() + ") nor a control or user-defined piece of " + MODEL_FILE);
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
        return added.isSpecial(id) || (id >= 0 && id < pieceCount && specialPiece[id]);
    }

    @Override
    public void close() {
        owner.close();
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[pieces=" + pieceCount + ", vocab=" + vocabSize + "]";
    }
}
