package dev.hovle.model.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small, deterministic SentencePiece-style BPE trainer for the tokenizers of randomly initialised snapshots.
 *
 * <p>As SentencePiece does, spaces become "▁" and start a word, and pieces never cross a change of character class
 * (letters, Han, digits, newlines; punctuation stays single). The alphabet is the corpus characters plus the
 * {@code requiredChars}, most frequent first; merges are then learnt greedily (most frequent adjacent pair, ties broken
 * by the merged string) until the piece budget is spent or no pair occurs twice. Merge {@code i} gets score {@code -i},
 * so SentencePiece's BPE encoder, which merges the highest-scoring piece first, replays the merges in order.
 */
final class BpeTrainer {

    static final String SPACE = "\u2581";
    private static final int MAX_PIECE_CHARS = 16;

    private enum CharClass { LETTER, HAN, DIGIT, NEWLINE, OTHER }

    private BpeTrainer() {
    }

    /**
     * Learns at most {@code budget} normal pieces from {@code corpus}; "▁" is always the first character kept.
     *
     * @return the pieces in decreasing score order: merged pieces first, then single characters
     */
    static List<SentencePieceModel.Piece> train(String corpus, int budget, Collection<String> requiredChars) {
        Map<List<String>, Integer> words = countWords(corpus.replace(" ", SPACE));
        List<String> alphabet = alphabet(words, requiredChars, budget);
        Set<String> vocab = new HashSet<>(alphabet);
        List<String> merged = new ArrayList<>();
        Map<List<String>, Integer> current = words;
        while (merged.size() + alphabet.size() < budget) {
            String[] best = bestPair(current, vocab);
            if (best == null) {
                break;
            }
            String piece = best[0] + best[1];
            if (vocab.add(piece)) {
                merged.add(piece);
            }
            current = applyMerge(current, best[0], best[1]);
        }
        List<SentencePieceModel.Piece> pieces = new ArrayList<>(merged.size() + alphabet.size());
        int rank = 0;
        for (String piece : merged) {
            pieces.add(new SentencePieceModel.Piece(piece, -rank++, SentencePieceModel.PieceType.NORMAL));
        }
        for (String c : alphabet) {
            pieces.add(new SentencePieceModel.Piece(c, -rank++, SentencePieceModel.PieceType.NORMAL));
        }
        return pieces;
    }

    /** Splits the escaped corpus into words (lists of single-character symbols) with their counts. */
    private static Map<List<String>, Integer> countWords(String text) {
        // TreeMap on the joined word keeps training independent of hash order.
        Map<String, Integer> counts = new TreeMap<>();
        StringBuilder word = new StringBuilder();
        CharClass wordClass = null; // null while the word is empty or just "▁"
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String c = new String(Character.toChars(cp));
            i += c.length();
            if (c.equals(SPACE)) {
                // A space starts a word and is attached to the characters after it.
                flush(word, counts);
                word.append(c);
                wordClass = null;
                continue;
            }
            CharClass cls = classOf(cp);
            if (wordClass != null && (cls != wordClass || cls == CharClass.OTHER)) {
                flush(word, counts);
            }
            word.append(c);
            wordClass = cls;
        }
        if (word.length() > 0) {
            counts.merge(word.toString(), 1, Integer::sum);
        }
        Map<List<String>, Integer> words = new TreeMap<>(Comparator.comparing(w -> String.join("", w)));
        counts.forEach((w, n) -> words.put(symbols(w), n));
        return words;
    }

    private static void flush(StringBuilder word, Map<String, Integer> counts) {
        if (word.length() > 0) {
            counts.merge(word.toString(), 1, Integer::sum);
            word.setLength(0);
        }
    }

    private static CharClass classOf(int cp) {
        if (cp == '\n') {
            return CharClass.NEWLINE;
        }
        if (Character.isDigit(cp)) {
            return CharClass.DIGIT;
        }
        if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
            return CharClass.HAN;
        }
        return Character.isLetter(cp) ? CharClass.LETTER : CharClass.OTHER;
    }

    private static List<String> symbols(String word) {
        List<String> symbols = new ArrayList<>();
        word.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        return symbols;
    }

    /** Corpus characters and required characters, most frequent first (code point order on ties), cut to budget. */
    private static List<String> alphabet(Map<List<String>, Integer> words, Collection<String> required, int budget) {
        Map<String, Integer> freq = new HashMap<>();
        words.forEach((w, n) -> w.forEach(c -> freq.merge(c, n, Integer::sum)));
        required.forEach(c -> freq.putIfAbsent(c, 0));
        List<String> chars = new ArrayList<>(freq.keySet());
        // The space symbol comes first whatever its count: as a byte sequence it would decode as "▁", not " ".
        chars.sort(Comparator.<String, Boolean>comparing(c -> !c.equals(SPACE))
                .thenComparing(Comparator.<String>comparingInt(freq::get).reversed())
                .thenComparingInt(c -> c.codePointAt(0)));
        return new ArrayList<>(new LinkedHashSet<>(chars.subList(0, Math.min(budget, chars.size()))));
    }

    /** The most frequent adjacent pair of in-vocabulary symbols occurring at least twice, or null. */
    private static String[] bestPair(Map<List<String>, Integer> words, Set<String> vocab) {
        Map<String, int[]> pairCounts = new HashMap<>();
        Map<String, String[]> pairs = new HashMap<>();
        words.forEach((w, n) -> {
            for (int i = 0; i + 1 < w.size(); i++) {
                String left = w.get(i);
                String right = w.get(i + 1);
                if (!vocab.contains(left) || !vocab.contains(right)
                        || left.codePointCount(0, left.length()) + right.codePointCount(0, right.length())
                        > MAX_PIECE_CHARS) {
                    continue;
                }
                String key = left + '\u0000' + right;
                pairCounts.computeIfAbsent(key, k -> new int[1])[0] += n;
                pairs.putIfAbsent(key, new String[] {left, right});
            }
        });
        String bestKey = null;
        int bestCount = 1;
        for (Map.Entry<String, int[]> e : pairCounts.entrySet()) {
            int count = e.getValue()[0];
            if (count > bestCount || (count == bestCount && bestKey != null && e.getKey().compareTo(bestKey) < 0)) {
                bestKey = e.getKey();
                bestCount = count;
            }
        }
        return bestKey == null ? null : pairs.get(bestKey);
    }

    private static Map<List<String>, Integer> applyMerge(Map<List<String>, Integer> words, String left, String right) {
        Map<List<String>, Integer> result = new TreeMap<>(Comparator.comparing(w -> String.join("", w)));
        words.forEach((w, n) -> {
            List<String> out = new ArrayList<>(w.size());
            for (int i = 0; i < w.size(); i++) {
                if (i + 1 < w.size() && w.get(i).equals(left) && w.get(i + 1).equals(right)) {
                    out.add(left + right);
                    i++;
                } else {
                    out.add(w.get(i));
                }
            }
            result.put(out, n);
        });
        return result;
    }
}
