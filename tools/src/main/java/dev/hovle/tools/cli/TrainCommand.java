package dev.hovle.tools.cli;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.WeightMode;
import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.dataset.ConversationFolder;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.train.BatchLoader;
import dev.hovle.model.train.EvalReport;
import dev.hovle.model.train.Evaluator;
import dev.hovle.model.train.Objective;
import dev.hovle.model.train.OptimizerSettings;
import dev.hovle.model.train.RunSettings;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.model.train.Stage;
import dev.hovle.model.train.SyntheticTeacher;
import dev.hovle.model.train.Trainer;
import dev.hovle.model.train.TrainingCheckpoint;
import dev.hovle.model.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hovle train}: trains a snapshot at one stage on {@code shapes} or a conversation folder. */
@Command(name = "train", description = "Train a HoVLE snapshot (distillation, alignment or instruction tuning) on "
        + "the synthetic shapes dataset or a folder of images and LLaVA-format conversations, with evaluation and "
        + "resumable checkpoints.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", description = "snapshot directory to start from (not needed with --resume)")
    Path model;

    @Option(names = "--resume", description = "a checkpoint written by hovle train: continue it exactly, with its "
            + "settings (--steps may extend the run)")
    Path resume;

    @Option(names = "--data", defaultValue = "shapes", description = "'shapes' or a folder with train.jsonl (and "
            + "optionally eval.jsonl) in the LLaVA conversation format (default ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--stage", defaultValue = "instruction", converter = StageConverter.class,
            description = "distillation, alignment or instruction (default ${DEFAULT-VALUE})")
    Stage.Kind stage;

    @Option(names = "--last-llm-layers", defaultValue = "-1", description = "instruction stage: train the holistic "
            + "module plus only the last N LLM layers (default: the whole model)")
    int lastLlmLayers;

    @Option(names = "--steps", description = "optimizer steps of the whole run")
    Integer steps;

    @Option(names = "--out", required = true, description = "where checkpoints go (the final one in the folder itself)")
    Path out;

    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--warmup", defaultValue = "-1", description = "warm-up steps (default 5% of the steps)")
    int warmup;

    @Option(names = "--min-lr-ratio", defaultValue = "0.05", description = "final over peak learning rate "
            + "(default ${DEFAULT-VALUE})")
    double minLrRatio;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "clip to this global norm, 0 for none "
            + "(default ${DEFAULT-VALUE})")
    double maxGradNorm;

    @Option(names = "--batch", defaultValue = "16", description = "samples per micro-batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--accumulation", defaultValue = "1", description = "micro-batches per optimizer step "
            + "(default ${DEFAULT-VALUE})")
    int accumulation;

    @Option(names = "--eval-interval", defaultValue = "0", description = "evaluate every N steps, 0 for only at the "
            + "end (default ${DEFAULT-VALUE})")
    int evalInterval;

    @Option(names = "--eval-samples", defaultValue = "200", description = "EVAL samples per evaluation "
            + "(default ${DEFAULT-VALUE})")
    int evalSamples;

    @Option(names = "--save-interval", defaultValue = "0", description = "also checkpoint every N steps into "
            + "OUT/checkpoint-NNNNNN, 0 for none (default ${DEFAULT-VALUE})")
    int saveInterval;

    @Option(names = "--curriculum-steps", defaultValue = "-1", description = "shapes: the first N steps see pictures "
            + "of one shape only, so colours and kinds are learnt before relations (default 10% of the steps on "
            + "shapes, 0 on a folder)")
    int curriculumSteps;

    @Option(names = "--vision-lr-scale", defaultValue = "1", description = "the vision path (patch and position "
            + "embeddings, pixel-shuffle projector) learns at this times the learning rate (default ${DEFAULT-VALUE})")
    double visionLrScale;

    @Option(names = "--seed", defaultValue = "0", description = "data order, shapes and synthetic-teacher seed "
            + "(default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        runtime.applyThreads();
        Path start = resume != null ? resume : model;
        if (start == null) {
            throw new IllegalArgumentException("give --model DIR to start a run, or --resume CHECKPOINT to continue one");
        }
        RunSettings settings = resume != null ? resumedSettings() : newSettings();
        long begun = System.nanoTime();
        try (HoVLEModel hovle = HoVLEModel.load(start, runtime.resolveDevice(), runtime.dataType(), WeightMode.TRAINING);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(start)) {
            Stage trainingStage = settings.optimizer().toStage(hovle.config().llm().transformer().numLayers());
            SampleEncoder encoder = SampleEncoder.forModel(hovle.config(), tokenizer);
            if (trainingStage.objective() == Objective.TEACHER_COSINE) {
                encoder = encoder.withTeacher(new SyntheticTeacher(hovle.config().llm().transformer().hiddenSize(),
                        hovle.config().embedding().patchSize(), hovle.config().embedding().shuffleFactor(),
                        settings.seed()));
            }
            ConversationDataset[] splits = datasets(settings, hovle.config().imageSize());
            try (Trainer trainer = settings.optimizer().trainer(hovle).build()) {
                if (resume != null) {
                    TrainingCheckpoint.restore(resume, trainer);
                }
                System.out.printf(Locale.ROOT, "%s: %s stage, %,d tensors learn, %d train / %d eval samples, %d steps "
                        + "of %d x %d samples, from step %d%n", start, trainingStage.name(), trainer.parameters().size(),
                        splits[0].size(), splits[1] == null ? 0 : splits[1].size(), settings.steps(),
                        settings.optimizer().batchSize(), settings.optimizer().accumulation(), trainer.state().step());
                long firstStep = trainer.state().step();
                try (BatchLoader loader = new BatchLoader(splits[0], splits[2], settings.curriculumSamples(), encoder,
                        settings.seed(), settings.optimizer().batchSize(), trainer.state().samplesSeen(), 2);
                        TrainProgress progress = new TrainProgress(settings.steps(), firstStep)) {
                    TrainingRun.Builder run = TrainingRun.builder().setTrainer(trainer).setLoader(loader)
                            .setSettings(settings).optCheckpoints(out, start, saveInterval).optListener(progress);
                    if (splits[1] != null) {
                        run.optEvaluation(new Evaluator(hovle, encoder, trainingStage.objective()), splits[1],
                                evalInterval, evalSamples, trainingStage.objective()
                                        == Objective.NEXT_TOKEN);
                    }
                    EvalReport last = run.build().run();
                    progress.finish(last, (System.nanoTime() - begun) / 1e9);
                }
            }
        }
        return 0;
    }

    private RunSettings newSettings() {
        if (steps == null) {
            throw new IllegalArgumentException("--steps is required for a new run");
        }
        OptimizerSettings optimizer = new OptimizerSettings(stage, lastLlmLayers, batch, accumulation, lr,
                warmup >= 0 ? warmup : Math.max(1, steps / 20), steps, minLrRatio, weightDecay, maxGradNorm,
                visionLrScale);
        return new RunSettings(optimizer, data, seed,
                curriculumSteps >= 0 ? curriculumSteps : data.equals("shapes") ? ShapesDataset.warmUpSteps(steps) : 0);
    }

    private RunSettings resumedSettings() throws IOException {
        if (!TrainingCheckpoint.isCheckpoint(resume)) {
            throw new IllegalArgumentException(resume + " is not a training checkpoint (no "
                    + TrainingCheckpoint.STATE_FILE + " and " + TrainingCheckpoint.OPTIMIZER_FILE + ")");
        }
        RunSettings saved = TrainingCheckpoint.settings(resume);
        return steps == null ? saved : saved.withSteps(steps);
    }

    /** TRAIN, EVAL (null when the folder has no held-out part) and the curriculum's warm-up data (or null). */
    private static ConversationDataset[] datasets(RunSettings settings, int tileSize) throws IOException {
        if (settings.data().equals("shapes")) {
            return new ConversationDataset[] {
                ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(settings.seed())
                        .optImageSize(tileSize).build(),
                ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optSeed(settings.seed())
                        .optImageSize(tileSize).build(),
                ShapesDataset.warmUp(settings.seed(), tileSize)
            };
        }
        if (settings.curriculumSteps() > 0) {
            throw new IllegalArgumentException("--curriculum-steps applies to the shapes dataset only");
        }
        ConversationFolder folder = ConversationFolder.open(Path.of(settings.data()));
        return new ConversationDataset[] {folder.train(), folder.eval(), null};
    }

    /** Reads a stage in any case, as the option's help names them. */
    static final class StageConverter implements ITypeConverter<Stage.Kind> {
        @Override
        public Stage.Kind convert(String value) {
            return Stage.Kind.named(value);
        }
    }
}
