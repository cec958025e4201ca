package dev.hovle.model.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The added-token table of a tokenizer (HF {@code added_tokens_decoder} plus {@code added_tokens.json}): strings that
 * are cut out of the text before the base tokenizer sees it and become one id each.
 *
 * <p>Splitting scans left to right and, where several added tokens start at the same position, takes the longest,
 * as the HF slow tokenizers' trie does. Immutable and thread-safe.
 */
final class AddedTokens {

    /** Receives the pieces of a split text in order. */
    interface Sink {
        void token(int id);

        void text(String text);
    }

    private final Map<String, Integer> idsByContent;
    private final Map<Integer, String> contentById;
    private final Set<Integer> specialIds;
    /** Added tokens grouped by first character, longest first within a group. */
    private final Map<Character, List<String>> byFirstChar;
    private final int maxId;

    /**
     * @param idsByContent every added token and its id
     * @param special the added tokens that count as special (skipped by decode)
     */
    AddedTokens(Map<String, Integer> idsByContent, Set<String> special) {
        this.idsByContent = Collections.unmodifiableMap(new LinkedHashMap<>(idsByContent));
        TreeMap<Integer, String> byId = new TreeMap<>();
        Set<Integer> specials = new HashSet<>();
        Map<Character, List<String>> groups = new HashMap<>();
        idsByContent.forEach((content, id) -> {
            if (content.isEmpty()) {
                throw new IllegalArgumentException("an added token must not be empty (id " + id + ")");
            }
            String previous = byId.putIfAbsent(id, content);
            if (previous != null) {
                throw new IllegalArgumentException("added tokens '" + previous + "' and '" + content
                        + "' share id " + id);
            }
            if (special.contains(content)) {
                specials.add(id);
            }
            groups.computeIfAbsent(content.charAt(0), c -> new ArrayList<>()).add(content);
        });
        groups.values().forEach(list -> list.sort(Comparator.comparingInt(String::length).reversed()));
        this.contentById = Collections.unmodifiableMap(byId);
        this.specialIds = Set.copyOf(specials);
        this.byFirstChar = groups;
        this.maxId = byId.isEmpty() ? -1 : byId.lastKey();
    }

    Integer id(String content) {
        return idsByContent.get(content);
    }

    String content(int id) {
        return contentById.get(id);
    }

    boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    Map<String, Integer> asMap() {
        return idsByContent;
    }

    /** The largest added-token id, or -1 when there are none. */
    int maxId() {
        return maxId;
    }

    /** Feeds {@code text} to {@code sink} as added-token ids and the (non-empty) text runs between them. */
    void split(String text, Sink sink) {
        int runStart = 0;
        int i = 0;
        while (i < text.length()) {
            String match = longestMatchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > runStart) {
                sink.text(text.substring(runStart, i));
            }
            sink.token(idsByContent.get(match));
            i += match.length();
            runStart = i;
        }
        if (runStart < text.length()) {
            sink.text(text.substring(runStart));
        }
    }

    private String longestMatchAt(String text, int at) {
        List<String> candidates = byFirstChar.get(text.charAt(at));
        if (candidates == null) {
            return null;
        }
        for (String candidate : candidates) {
            if (text.startsWith(candidate, at)) {
                return candidate;
            }
        }
        return null;
    }
}
