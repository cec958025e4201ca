package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CI-sized learning run: a tiny model from {@code init}, trained from scratch at the INSTRUCTION stage on
 * {@code shapes} with {@code hovle train}'s defaults (one question per sample, peak learning rate 1e-3, a one-shape
 * curriculum for the first 10% of steps), writes exact captions of held-out pictures: every shape's colour and kind,
 * and their relative position. No language prior gets any of those right (0 of 60 without reading the picture).
 * The checkpoint it writes is then loaded the way {@code hovle generate} loads a model (memory-mapped, inference
 * mode, its own tokenizer files) and must caption as well. Seeded and single-threaded, so the figures reproduce.
 */
class ShapesLearningTest {
    private static final int STEPS = 2500;
    private static final int EVAL_PICTURES = 60;

    @TempDir
    Path out;

    @Test
    void learnsToCaptionUnseenShapesPicturesFromScratchAndItsCheckpointServesTheSameCaptions() throws Exception {
        Path snapshot = TrainingFixtures.tinySnapshot();
        RunSettings settings = new RunSettings(new OptimizerSettings(Stage.Kind.INSTRUCTION, -1, 16, 1, 1e-3,
                STEPS / 20, STEPS, 0.05, 0.01, 1.0, 1.0), "shapes", 0, STEPS / 10);
        EvalReport trained;
        try (HoVLEModel model = TrainingFixtures.load(snapshot, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(snapshot);
                Trainer trainer = settings.optimizer().trainer(model).build()) {
            int tile = model.config().imageSize();
            ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tile).build();
            ShapesDataset oneShape = ShapesDataset.warmUp(settings.seed(), tile);
            SampleEncoder encoder = SampleEncoder.forModel(model.config(), tokenizer);
            try (BatchLoader loader = new BatchLoader(train, oneShape, settings.curriculumSamples(), encoder,
                    settings.seed(), settings.optimizer().batchSize(), 0, 2)) {
                trained = TrainingRun.builder().setTrainer(trainer).setLoader(loader).setSettings(settings)
                        .optEvaluation(new Evaluator(model, encoder, Objective.NEXT_TOKEN), eval(tile), 0,
                                EVAL_PICTURES, true)
                        .build().run();
            }
            TrainingCheckpoint.save(out, trainer, snapshot, settings);
        }
        assertThat(trained.captions()).isEqualTo(EVAL_PICTURES);
        assertThat(trained.captionAccuracy()).as(trained.summary()).isGreaterThanOrEqualTo(0.8);

        try (HoVLEModel served = HoVLEModel.load(out); HoVLETokenizer tokenizer = HoVLETokenizer.load(out)) {
            EvalReport again = new Evaluator(served, SampleEncoder.forModel(served.config(), tokenizer),
                    Objective.NEXT_TOKEN).evaluate(eval(served.config().imageSize()), EVAL_PICTURES, true);
            System.out.println("ShapesLearningTest: trained " + trained.summary() + "; served " + again.summary());
            // Batched decode reads mapped weights through HostGemv, training copies through libtorch: sums may
            // differ in the last bit, so a near-tie may flip; more than two would mean the checkpoint lost something.
            assertThat(again.captionsCorrect()).as(again.summary()).isCloseTo(trained.captionsCorrect(), within(2));
            assertThat(again.answersCorrect()).as(again.summary()).isCloseTo(trained.answersCorrect(), within(2));
        }
    }

    private static ShapesDataset eval(int tile) {
        return ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(tile).build();
    }
}
