package dev.hovle.tools.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hovle.model.prompt.Conversation;
import dev.hovle.model.prompt.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat request of a golden model case, read from its {@code case.json}: the arguments the official
 * {@code chat()} was called with, and the answer its training sequence appends.
 *
 * @param conversation {@code history} ([question, answer] pairs, oldest first; absent, null or empty is
 *     {@code history=None}), {@code question} and {@code num_patches_list}
 * @param answer {@code answer}, empty when the case has none
 */
public record GoldenConversation(Conversation conversation, String answer) {

    /**
     * The request of {@code caseJson}.
     *
     * @throws IllegalArgumentException when {@code history} is not a list of [question, answer] string pairs
     */
    public static GoldenConversation of(JsonNode caseJson) {
        List<Integer> tiles = new ArrayList<>();
        caseJson.path("num_patches_list").forEach(n -> tiles.add(n.asInt()));
        return new GoldenConversation(new Conversation(history(caseJson.path("history")),
                caseJson.path("question").asText(), tiles), caseJson.path("answer").asText(""));
    }

    private static List<Turn> history(JsonNode history) {
        List<Turn> turns = new ArrayList<>();
        if (history.isMissingNode() || history.isNull()) {
            return turns;
        }
        if (!history.isArray()) {
            throw new IllegalArgumentException("case.json history must be a list of [question, answer] pairs, found "
                    + history.getNodeType());
        }
        for (int i = 0; i < history.size(); i++) {
            JsonNode pair = history.get(i);
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw new IllegalArgumentException("case.json history[" + i + "] must be a [question, answer] pair of "
                        + "strings, found " + pair);
            }
            turns.add(new Turn(pair.get(0).asText(), pair.get(1).asText()));
        }
        return turns;
    }
}
