package dev.hovle.operators.training;

import dev.hovle.model.train.EvalReport;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the gate compares: a version's loss on the gate's held-out samples and its exact-match accuracy on their
 * questions (NaN where the stage generates nothing to match, e.g. distillation).
 *
 * @param loss the stage's mean loss on the held-out samples
 * @param accuracy exact-match accuracy over captions and answers together, or NaN
 * @param captionAccuracy exact-match accuracy of captions alone, or NaN when none was asked
 * @param answerAccuracy exact-match accuracy of the other answers, or NaN when none was asked
 * @param samples held-out samples scored
 */
public record EvalScores(double loss, double accuracy, double captionAccuracy, double answerAccuracy, int samples) {

    /** The scores of an evaluation over {@code samples} held-out samples. */
    public static EvalScores of(EvalReport report, int samples) {
        int asked = report.captions() + report.answers();
        double accuracy = asked == 0 ? Double.NaN
                : (report.captionsCorrect() + report.answersCorrect()) / (double) asked;
        return new EvalScores(report.loss(), accuracy, report.captionAccuracy(), report.answerAccuracy(), samples);
    }

    /** The scores as {@code ModelUpdate} metrics (unmeasured ones left out). */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", loss);
        putMeasured(out, "eval_accuracy", accuracy);
        putMeasured(out, "eval_caption_accuracy", captionAccuracy);
        putMeasured(out, "eval_answer_accuracy", answerAccuracy);
        out.put("eval_samples", (double) samples);
        return out;
    }

    private static void putMeasured(Map<String, Double> out, String name, double value) {
        if (!Double.isNaN(value)) {
            out.put(name, value);
        }
    }
}
