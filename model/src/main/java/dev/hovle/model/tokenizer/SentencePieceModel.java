package dev.hovle.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a SentencePiece {@code ModelProto} (the {@code tokenizer.model} file) that this project reads and
 * writes, with a hand-written protobuf codec.
 *
 * <p>Field numbers follow {@code sentencepiece_model.proto}: {@code ModelProto.pieces = 1}, {@code trainer_spec = 2},
 * {@code normalizer_spec = 3}; {@code SentencePiece.piece = 1, score = 2, type = 3}. Reading skips every field it
 * does not know, so a released InternLM2 model parses too; writing emits only what the SentencePiece runtime needs
 * to encode and decode.
 *
 * @param pieces the vocabulary in id order
 * @param modelType the segmentation algorithm
 * @param byteFallback whether unknown characters are encoded as {@code <0xXX>} byte pieces
 * @param addDummyPrefix whether the normaliser prepends a space ("▁") to every encoded text
 * @param removeExtraWhitespaces whether the normaliser collapses and trims whitespace
 */
record SentencePieceModel(
        List<Piece> pieces,
        ModelType modelType,
        boolean byteFallback,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces) {

    /** Piece types with their protobuf enum numbers. */
    enum PieceType {
        NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

        final int number;

        PieceType(int number) {
            this.number = number;
        }

        static PieceType of(int number) {
            for (PieceType type : values()) {
                if (type.number == number) {
                    return type;
                }
            }
            throw new IllegalArgumentException("unknown SentencePiece piece type " + number);
        }
    }

    /** Segmentation algorithms with their {@code TrainerSpec.ModelType} numbers. */
    enum ModelType {
        UNIGRAM(1), BPE(2), WORD(3), CHAR(4);

        final int number;

        ModelType(int number) {
            this.number = number;
        }

        static ModelType of(int number) {
            for (ModelType type : values()) {
                if (type.number == number) {
                    return type;
                }
            }
            throw new IllegalArgumentException("unknown SentencePiece model type " + number);
        }
    }

    /** One vocabulary entry. */
    record Piece(String text, float score, PieceType type) {
        Piece {
            Objects.requireNonNull(type, "type");
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("a SentencePiece piece must not be empty");
            }
        }
    }

    SentencePieceModel {
        pieces = List.copyOf(pieces);
        Objects.requireNonNull(modelType, "modelType");
    }

    /** The protobuf bytes of this model, loadable by the SentencePiece runtime. */
    byte[] toBytes() {
        ProtoWriter model = new ProtoWriter();
        for (Piece piece : pieces) {
            ProtoWriter entry = new ProtoWriter();
            entry.string(1, piece.text());
            entry.fixed32(2, Float.floatToIntBits(piece.score()));
            entry.varint(3, piece.type().number);
            model.message(1, entry);
        }
        model.message(2, trainerSpec());
        model.message(3, normalizerSpec());
        return model.toByteArray();
    }

    private ProtoWriter trainerSpec() {
        ProtoWriter spec = new ProtoWriter();
        spec.string(2, "hovle");                            // model_prefix
        spec.varint(3, modelType.number);                   // model_type
        spec.varint(4, pieces.size());                      // vocab_size
        spec.fixed32(10, Float.floatToIntBits(1.0f));       // character_coverage
        spec.varint(20, 16);                                // max_sentencepiece_length
        for (Piece piece : pieces) {
            if (piece.type() == PieceType.USER_DEFINED) {
                spec.string(31, piece.text());              // user_defined_symbols
            }
        }
        spec.varint(35, byteFallback ? 1 : 0);              // byte_fallback
        spec.varint(40, indexOfType(PieceType.UNKNOWN));    // unk_id
        spec.varint(41, indexOf("<s>"));                    // bos_id
        spec.varint(42, indexOf("</s>"));                   // eos_id
        spec.varint(43, -1);                                // pad_id: none, as in InternLM2
        return spec;
    }

    private ProtoWriter normalizerSpec() {
        ProtoWriter spec = new ProtoWriter();
        // "identity" with no precompiled map: text reaches the model unchanged apart from space escaping.
        spec.string(1, "identity");
        spec.varint(3, addDummyPrefix ? 1 : 0);
        spec.varint(4, removeExtraWhitespaces ? 1 : 0);
        spec.varint(5, 1);                                  // escape_whitespaces: " " -> "▁"
        return spec;
    }

    private int indexOf(String text) {
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).text().equals(text)) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfType(PieceType type) {
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).type() == type) {
                return i;
            }
        }
        throw new IllegalStateException("a SentencePiece model needs one " + type + " piece");
    }

    /** Parses a {@code tokenizer.model}; fields other than the ones this record holds are skipped. */
    static SentencePieceModel parse(byte[] bytes) {
        List<Piece> pieces = new ArrayList<>();
        // Protobuf defaults of the fields we read (sentencepiece_model.proto).
        ModelType modelType = ModelType.UNIGRAM;
        boolean byteFallback = false;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        ProtoReader model = new ProtoReader(bytes, 0, bytes.length);
        while (model.hasMore()) {
            int tag = model.tag();
            int field = tag >>> 3;
            if (field == 1 && (tag & 7) == 2) {
                pieces.add(parsePiece(model.message()));
            } else if (field == 2 && (tag & 7) == 2) {
                ProtoReader spec = model.message();
                while (spec.hasMore()) {
                    int t = spec.tag();
                    if (t >>> 3 == 3 && (t & 7) == 0) {
                        modelType = ModelType.of((int) spec.varint());
                    } else if (t >>> 3 == 35 && (t & 7) == 0) {
                        byteFallback = spec.varint() != 0;
                    } else {
                        spec.skip(t);
                    }
                }
            } else if (field == 3 && (tag & 7) == 2) {
                ProtoReader spec = model.message();
                while (spec.hasMore()) {
                    int t = spec.tag();
                    if (t >>> 3 == 3 && (t & 7) == 0) {
                        addDummyPrefix = spec.varint() != 0;
                    } else if (t >>> 3 == 4 && (t & 7) == 0) {
                        removeExtraWhitespaces = spec.varint() != 0;
                    } else {
                        spec.skip(t);
                    }
                }
            } else {
                model.skip(tag);
            }
        }
        return new SentencePieceModel(pieces, modelType, byteFallback, addDummyPrefix, removeExtraWhitespaces);
    }

    private static Piece parsePiece(ProtoReader in) {
        String text = null;
        float score = 0f;
        PieceType type = PieceType.NORMAL;
        while (in.hasMore()) {
            int tag = in.tag();
            switch (tag) {
                case (1 << 3) | 2 -> text = in.string();
                case (2 << 3) | 5 -> score = Float.intBitsToFloat(in.fixed32());
                case (3 << 3) | 0 -> type = PieceType.of((int) in.varint());
                default -> in.skip(tag);
            }
        }
        return new Piece(text, score, type);
    }

    /** Appends protobuf fields to a growing buffer. */
    private static final class ProtoWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int field, long value) {
            rawVarint(((long) field << 3));
            rawVarint(value);
        }

        void fixed32(int field, int bits) {
            rawVarint(((long) field << 3) | 5);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, ProtoWriter message) {
            bytes(field, message.toByteArray());
        }

        private void bytes(int field, byte[] value) {
            rawVarint(((long) field << 3) | 2);
            rawVarint(value.length);
            out.writeBytes(value);
        }

        // Negative int32 values are sign-extended to ten bytes, as protobuf encodes them.
        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads protobuf fields from a slice of a byte array. */
    private static final class ProtoReader {
        private final byte[] buf;
        private int pos;
        private final int end;

        ProtoReader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = next();
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint in tokenizer.model");
        }

        int fixed32() {
            int bits = 0;
            for (int i = 0; i < 4; i++) {
                bits |= (next() & 0xFF) << (8 * i);
            }
            return bits;
        }

        String string() {
            int length = length();
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        ProtoReader message() {
            int length = length();
            ProtoReader sub = new ProtoReader(buf, pos, pos + length);
            pos += length;
            return sub;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7)
                        + " in tokenizer.model");
            }
        }

        private int length() {
            long length = varint();
            if (length < 0 || pos + length > end) {
                throw new IllegalArgumentException("truncated field in tokenizer.model");
            }
            return (int) length;
        }

        private void advance(int n) {
            if (pos + n > end) {
                throw new IllegalArgumentException("truncated field in tokenizer.model");
            }
            pos += n;
        }

        private byte next() {
            if (pos >= end) {
                throw new IllegalArgumentException("truncated tokenizer.model");
            }
            return buf[pos++];
        }
    }
}
