package dev.hovle.model.dataset;

import dev.hovle.model.prompt.Turn;
import java.util.List;

/**
 * One question to answer by generation, with the reference answer that an exact match is judged against.
 *
 * @param sampleId the sample it comes from
 * @param images the encoded images the question is about
 * @param history earlier turns of the conversation (empty for a first question)
 * @param question the question
 * @param answer the reference answer
 * @param kind what it asks: {@value #CAPTION} (scored apart from the answers), {@value #ANSWER} for any other
 *     question, or a finer kind a dataset knows (for {@code shapes}: count, colour, kind, position), which evaluations
 *     report accuracy by
 */
public record EvalQuestion(String sampleId, List<byte[]> images, List<Turn> history, String question, String answer,
        String kind) {
    /** The kind of a caption request. */
    public static final String CAPTION = "caption";
    /** The kind of a question a dataset does not classify further. */
    public static final String ANSWER = "answer";

    public EvalQuestion {
        images = List.copyOf(images);
        history = List.copyOf(history);
    }

    /** Whether it asks for a caption. */
    public boolean caption() {
        return kind.equals(CAPTION);
    }
}
