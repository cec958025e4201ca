package dev.hovle.model.train;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One evaluation on held-out samples.
 *
 * @param loss the stage's mean loss over the samples' conversations (teacher-forced)
 * @param captions caption requests asked
 * @param captionsCorrect generated captions equal to the reference
 * @param answers other questions asked
 * @param answersCorrect generated answers equal to the reference
 * @param mistakes a few wrong generations, "question → generated (expected)", for the log
 * @param byKind exact matches per kind of question, in the order first asked (see {@code EvalQuestion.kind})
 */
public record EvalReport(double loss, int captions, int captionsCorrect, int answers, int answersCorrect,
        List<String> mistakes, List<KindScore> byKind) {

    public EvalReport {
        mistakes = List.copyOf(mistakes);
        byKind = List.copyOf(byKind);
    }

    /** How many questions of one kind were asked and answered exactly. */
    public record KindScore(String kind, int asked, int correct) {}

    /** Exact-match caption accuracy, NaN without captions. */
    public double captionAccuracy() {
        return captions == 0 ? Double.NaN : (double) captionsCorrect / captions;
    }

    /** Exact-match answer accuracy, NaN without questions. */
    public double answerAccuracy() {
        return answers == 0 ? Double.NaN : (double) answersCorrect / answers;
    }

    /** One line for the log; with more kinds than captions and answers, each kind's score. */
    public String summary() {
        String line = String.format(Locale.ROOT, "eval loss %.4f | captions %d/%d (%.1f%%) | answers %d/%d (%.1f%%)",
                loss, captionsCorrect, captions, 100 * captionAccuracy(), answersCorrect, answers,
                100 * answerAccuracy());
        if (byKind.size() <= 2) {
            return line;
        }
        return line + " | " + byKind.stream().map(k -> k.kind() + " " + k.correct() + "/" + k.asked())
                .collect(Collectors.joining(", "));
    }
}
