package dev.hovle.model.train;

import dev.hovle.model.dataset.ConversationDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training run from the trainer's current step to the settings' last: batches from the loader (accumulated into
 * optimizer steps), evaluation on held-out data at intervals and at the end, checkpoints at intervals and at the
 * end. A listener sees every step, evaluation and checkpoint (the command line draws its progress bar from it).
 *
 * <pre>{@code
 * EvalReport last = TrainingRun.builder().setTrainer(trainer).setLoader(loader).setSettings(settings)
 *         .optEvaluation(evaluator, evalData, 100, 200, true).optCheckpoints(out, modelDir, 500).build().run();
 * }</pre>
 */
public final class TrainingRun {
    private final Trainer trainer;
    private final BatchLoader loader;
    private final RunSettings settings;
    private final Evaluator evaluator;
    private final ConversationDataset evalData;
    private final int evalInterval;
    private final int evalSamples;
    private final boolean generate;
    private final Path out;
    private final Path source;
    private final int checkpointInterval;
    private final Listener listener;

    /** Sees a run's progress; every method defaults to nothing. */
    public interface Listener {
        default void onStep(StepResult result) {}

        default void onEval(long step, EvalReport report) {}

        default void onCheckpoint(long step, Path dir) {}
    }

    private TrainingRun(Builder b) {
        this.trainer = b.trainer;
        this.loader = b.loader;
        this.settings = b.settings;
        this.evaluator = b.evaluator;
        this.evalData = b.evalData;
        this.evalInterval = b.evalInterval;
        this.evalSamples = b.evalSamples;
        this.generate = b.generate;
        this.out = b.out;
        this.source = b.source;
        this.checkpointInterval = b.checkpointInterval;
        this.listener = b.listener;
    }

    /** A builder; trainer, loader and settings are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Trains to the last step; returns the final evaluation, or null without evaluation data. */
    public EvalReport run() {
        while (trainer.state().step() < settings.steps()) {
            List<Batch> micro = new ArrayList<>(settings.optimizer().accumulation());
            for (int i = 0; i < settings.optimizer().accumulation(); i++) {
                micro.add(loader.next());
            }
            StepResult result = trainer.step(micro);
            listener.onStep(result);
            long done = trainer.state().step();
            if (done < settings.steps()) {
                if (evaluator != null && evalInterval > 0 && done % evalInterval == 0) {
                    listener.onEval(done, evaluate());
                }
                if (out != null && checkpointInterval > 0 && done % checkpointInterval == 0) {
                    save(out.resolve(String.format("checkpoint-%06d", done)));
                }
            }
        }
        if (out != null) {
            save(out);
        }
        EvalReport last = evaluator == null ? null : evaluate();
        if (last != null) {
            listener.onEval(trainer.state().step(), last);
        }
        return last;
    }

    private EvalReport evaluate() {
        return evaluator.evaluate(evalData, evalSamples, generate);
    }

    private void save(Path dir) {
        try {
            TrainingCheckpoint.save(dir, trainer, source, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + dir, e);
        }
        listener.onCheckpoint(trainer.state().step(), dir);
    }

    /** Builds a {@link TrainingRun}. */
    public static final class Builder {
        private Trainer trainer;
        private BatchLoader loader;
        private RunSettings settings;
        private Evaluator evaluator;
        private ConversationDataset evalData;
        private int evalInterval;
        private int evalSamples;
        private boolean generate;
        private Path out;
        private Path source;
        private int checkpointInterval;
        private Listener listener = new Listener() {};

        private Builder() {}

        /** The trainer, already at the step the run starts from (required). */
        public Builder setTrainer(Trainer value) {
            this.trainer = value;
            return this;
        }

        /** The batches, positioned at the trainer's {@code samplesSeen} (required). */
        public Builder setLoader(BatchLoader value) {
            this.loader = value;
            return this;
        }

        /** Steps, accumulation and what checkpoints record (required). */
        public Builder setSettings(RunSettings value) {
            this.settings = value;
            return this;
        }

        /**
         * Evaluate the first {@code samples} of {@code data} every {@code interval} steps (0: only at the end);
         * {@code generate} adds caption and answer accuracy.
         */
        public Builder optEvaluation(Evaluator value, ConversationDataset data, int interval, int samples,
                boolean generateAnswers) {
            this.evaluator = value;
            this.evalData = data;
            this.evalInterval = interval;
            this.evalSamples = samples;
            this.generate = generateAnswers;
            return this;
        }

        /**
         * Write the final checkpoint into {@code dir} and, every {@code interval} steps (0: never), one into
         * {@code dir/checkpoint-NNNNNN}; tokenizer files come from {@code modelDir}.
         */
        public Builder optCheckpoints(Path dir, Path modelDir, int interval) {
            this.out = dir;
            this.source = modelDir;
            this.checkpointInterval = interval;
            return this;
        }

        /** Progress callbacks. */
        public Builder optListener(Listener value) {
            this.listener = value;
            return this;
        }

        public TrainingRun build() {
            if (trainer == null || loader == null || settings == null) {
                throw new IllegalStateException("TrainingRun needs setTrainer, setLoader and setSettings");
            }
            return new TrainingRun(this);
        }
    }
}
