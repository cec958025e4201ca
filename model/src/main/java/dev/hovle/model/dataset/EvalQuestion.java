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
 * @param caption whether the question asks for a caption (scored apart from other answers)
 */
public record EvalQuestion(String sampleId, List<byte[]> images, List<Turn> history, String question, String answer,
        boolean caption) {

    public EvalQuestion {
        images = List.copyOf(images);
        history = List.copyOf(history);
    }
}
