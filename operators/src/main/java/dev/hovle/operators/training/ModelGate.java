package dev.hovle.operators.training;

import java.io.Serializable;
import java.util.Locale;

/**
 * The promotion rule: a candidate is promoted only when its held-out loss is not worse than the serving version's by
 * more than a relative margin and, where both were measured, its exact-match accuracy is not lower by more than an
 * allowed drop. Both versions are scored on the same held-out samples, so the comparison is fair.
 *
 * <pre>{@code
 * ModelGate gate = new ModelGate(0.02, 0.0); // loss may rise 2%, accuracy may not fall
 * ModelGate.Verdict v = gate.judge(candidateScores, servingScores);
 * }</pre>
 */
public final class ModelGate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double maxLossIncrease;
    private final double maxAccuracyDrop;

    /**
     * @param maxLossIncrease how much higher the candidate's loss may be, relative to the serving one's (0.02 = 2%)
     * @param maxAccuracyDrop how much lower its accuracy may be, in absolute terms (0.01 = one point)
     */
    public ModelGate(double maxLossIncrease, double maxAccuracyDrop) {
        if (!(maxLossIncrease >= 0) || !(maxAccuracyDrop >= 0)) {
            throw new IllegalArgumentException("gate margins must be non-negative: loss " + maxLossIncrease
                    + ", accuracy " + maxAccuracyDrop);
        }
        this.maxLossIncrease = maxLossIncrease;
        this.maxAccuracyDrop = maxAccuracyDrop;
    }

    /** The verdict on {@code candidate} against the {@code serving} version's scores. */
    public Verdict judge(EvalScores candidate, EvalScores serving) {
        double lossLimit = serving.loss() * (1 + maxLossIncrease);
        boolean lossOk = Double.isFinite(candidate.loss()) && candidate.loss() <= lossLimit;
        String reason = String.format(Locale.ROOT, "eval loss %.4f vs %.4f serving (limit %.4f)", candidate.loss(),
                serving.loss(), lossLimit);
        boolean accuracyOk = true;
        if (!Double.isNaN(candidate.accuracy()) && !Double.isNaN(serving.accuracy())) {
            double floor = serving.accuracy() - maxAccuracyDrop;
            accuracyOk = candidate.accuracy() >= floor - 1e-12;
            reason += String.format(Locale.ROOT, "; accuracy %.1f%% vs %.1f%% serving (floor %.1f%%)",
                    100 * candidate.accuracy(), 100 * serving.accuracy(), 100 * floor);
        }
        return new Verdict(lossOk && accuracyOk, reason);
    }

    /**
     * @param promote whether the candidate may serve
     * @param reason the compared figures, for the update's {@code reason}
     */
    public record Verdict(boolean promote, String reason) {}
}
