package dev.hovle.model.dataset;

import dev.hovle.model.prepare.PromptPreparer;
import dev.hovle.model.prompt.Turn;
import java.util.ArrayList;
import java.util.List;

/** A finite, indexable set of training conversations; implementations are immutable and thread-safe. */
public interface ConversationDataset {
    /** The question whose answer is a caption, as {@code hovle generate} asks it for an image without a prompt. */
    String CAPTION_QUESTION = PromptPreparer.CAPTION_QUESTION;

    /** Number of samples. */
    int size();

    /** Sample {@code index}, 0 ≤ index < size(); the same sample every time. */
    Sample get(int index);

    /**
     * The questions an evaluation asks about sample {@code index}: by default every turn, with the turns before it
     * as history.
     */
    default List<EvalQuestion> questions(int index) {
        Sample sample = get(index);
        List<EvalQuestion> out = new ArrayList<>();
        List<Turn> turns = sample.turns();
        for (int i = 0; i < turns.size(); i++) {
            String question = turns.get(i).question();
            boolean caption = question.replace("<image>", "").strip().equals(CAPTION_QUESTION);
            out.add(new EvalQuestion(sample.id(), sample.images(), turns.subList(0, i), question,
                    turns.get(i).answer(), caption ? EvalQuestion.CAPTION : EvalQuestion.ANSWER));
        }
        return out;
    }
}
