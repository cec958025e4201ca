package dev.hovle.model.prompt;

import java.util.Objects;

/**
 * One finished exchange of a conversation: the user's question and the assistant's answer.
 *
 * <p>Questions may hold {@code <image>} placeholders; the prompt builder expands them in order across the whole
 * conversation, as the official {@code chat()} does for its history.
 */
public record Turn(String question, String answer) {

    public Turn {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
    }
}
