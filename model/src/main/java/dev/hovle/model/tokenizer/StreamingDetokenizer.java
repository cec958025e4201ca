package dev.hovle.model.tokenizer;

import java.util.Objects;

/**
 * Turns a growing sequence of generated ids into text deltas, for printing an answer while it streams.
 *
 * <p>Each call decodes a short window: the ids of the last emitted delta plus the ids not emitted yet, and returns the
 * part beyond the window's already-emitted prefix. Keeping the previous ids in the window gives every new piece its
 * left context (a SentencePiece model with a dummy prefix strips the leading space of the first piece only). A delta
 * is held back while the window's text ends in U+FFFD, i.e. while a multi-byte UTF-8 character is still incomplete,
 * so no character is ever split or emitted broken; {@link #finish()} releases whatever is left. Special tokens produce
 * no text.
 *
 * <p>Not thread-safe: use one instance per generated sequence. The tokenizer it wraps may be shared.
 */
public final class StreamingDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final HoVLETokenizer tokenizer;
    private final IdBuffer ids = new IdBuffer(64);
    private final StringBuilder text = new StringBuilder();
    /** Start of the decode window: the first id of the last emitted delta. */
    private int prefixOffset;
    /** End of the emitted ids: everything before it is part of {@link #text()}. */
    private int readOffset;

    public StreamingDetokenizer(HoVLETokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Adds one generated id and returns the text it completes, possibly empty. */
    public String push(int id) {
        ids.add(id);
        String prefixText = tokenizer.decode(ids.slice(prefixOffset, readOffset));
        String windowText = tokenizer.decode(ids.slice(prefixOffset, ids.size()));
        if (windowText.length() <= prefixText.length() || windowText.charAt(windowText.length() - 1) == REPLACEMENT) {
            return "";
        }
        String delta = windowText.substring(boundary(windowText, prefixText));
        prefixOffset = readOffset;
        readOffset = ids.size();
        text.append(delta);
        return delta;
    }

    /** Releases the text of ids still held back (an incomplete character at the very end decodes as U+FFFD). */
    public String finish() {
        String prefixText = tokenizer.decode(ids.slice(prefixOffset, readOffset));
        String windowText = tokenizer.decode(ids.slice(prefixOffset, ids.size()));
        String delta = windowText.length() > prefixText.length()
                ? windowText.substring(boundary(windowText, prefixText)) : "";
        prefixOffset = ids.size();
        readOffset = ids.size();
        text.append(delta);
        return delta;
    }

    /** All text emitted so far. */
    public String text() {
        return text.toString();
    }

    /** Number of ids pushed so far. */
    public int tokenCount() {
        return ids.size();
    }

    /** Where the new text starts: after the emitted prefix, never inside a surrogate pair. */
    private static int boundary(String windowText, String prefixText) {
        int at = prefixText.length();
        if (!windowText.startsWith(prefixText)) {
            // The window re-decoded its start differently (a normaliser quirk); emit only what lies beyond it.
            at = Math.min(at, windowText.length());
        }
        if (at > 0 && at < windowText.length() && Character.isLowSurrogate(windowText.charAt(at))) {
            at++;
        }
        return at;
    }
}
