package dev.hovle.tools.cli;

import dev.hovle.model.train.EvalReport;
import dev.hovle.model.train.StepResult;
import dev.hovle.model.train.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training progress bar (steps, loss, samples/s, time left) and the lines printed at evaluations, checkpoints
 * and the end. Speeds count training time only: evaluation and checkpoint writing are excluded.
 */
final class TrainProgress implements TrainingRun.Listener, AutoCloseable {
    private final ProgressBar bar;
    private final long firstStep;
    private long steps;
    private long samples;
    private long trainNanos;
    private long mark = System.nanoTime();
    private double smoothedLoss = Double.NaN;

    TrainProgress(long totalSteps, long firstStep) {
        this.firstStep = firstStep;
        this.bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).startsFrom(firstStep, Duration.ZERO)
                .build();
    }

    @Override
    public void onStep(StepResult r) {
        long now = System.nanoTime();
        trainNanos += now - mark;
        mark = now;
        steps++;
        samples += r.samples();
        smoothedLoss = Double.isNaN(smoothedLoss) ? r.loss() : 0.9 * smoothedLoss + 0.1 * r.loss();
        bar.stepTo(r.step() + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f | %.1f samples/s | lr %.2e%s", smoothedLoss,
                samplesPerSecond(), r.learningRate(), r.skipped() ? " | overflow, step skipped" : ""));
    }

    @Override
    public void onEval(long step, EvalReport report) {
        System.out.printf(Locale.ROOT, "%nstep %d: %s%n", step, report.summary());
        report.mistakes().forEach(m -> System.out.println("  wrong: " + m));
        mark = System.nanoTime();
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        System.out.printf(Locale.ROOT, "%nstep %d: checkpoint %s%n", step, dir);
        mark = System.nanoTime();
    }

    /** Prints the run's figures. */
    void finish(EvalReport last, double wallSeconds) {
        bar.close();
        double seconds = trainNanos / 1e9;
        System.out.printf(Locale.ROOT, "trained %d steps (from step %d) in %.1f s: %.2f steps/s, %.1f samples/s; wall "
                + "time %.1f s%n", steps, firstStep, seconds, steps / seconds, samplesPerSecond(), wallSeconds);
        if (last != null) {
            System.out.println("final: " + last.summary());
        }
    }

    private double samplesPerSecond() {
        return trainNanos == 0 ? 0 : samples / (trainNanos / 1e9);
    }

    @Override
    public void close() {
        bar.close();
    }
}
