package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.ShapesDataset;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A CI-sized learning run: a tiny model from {@code init}, trained from scratch at the INSTRUCTION stage on
 * {@code shapes} with {@code hovle train}'s learning rate (1e-3) and a one-shape curriculum first, writes exact
 * captions of held-out pictures: every shape's colour and kind, and their relative position. No language prior gets
 * any of those right (0 of 60 without reading the picture); this run gets 12 of 60 (measured), the full run
 * 68% (see the issue note). Seeded and single-threaded, so the figure is reproducible.
 */
class ShapesLearningTest {
    private static final int STEPS = 500;
    private static final int EVAL_PICTURES = 60;

    @Test
    void learnsToCaptionUnseenShapesPicturesFromScratch() throws Exception {
        Path snapshot = TrainingFixtures.tinySnapshot();
        RunSettings settings = new RunSettings("instruction", -1, "shapes", 0, STEPS, 16, 1, 1e-3, STEPS / 20, 0.05,
                0.01, 1.0, 300, 1.0);
        try (HoVLEModel model = TrainingFixtures.load(snapshot, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(snapshot);
                Trainer trainer = settings.trainer(model).build()) {
            int tile = model.config().imageSize();
            ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tile).build();
            ShapesDataset oneShape = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tile)
                    .optMaxShapes(1).build();
            ShapesDataset eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(tile).build();
            SampleEncoder encoder = SampleEncoder.forModel(model.config(), tokenizer);
            EvalReport report;
            try (BatchLoader loader = new BatchLoader(train, oneShape, settings.curriculumSamples(), encoder,
                    settings.seed(), settings.batchSize(), 0, 2)) {
                report = TrainingRun.builder().setTrainer(trainer).setLoader(loader).setSettings(settings)
                        .optEvaluation(new Evaluator(model, encoder, Objective.NEXT_TOKEN), eval, 0, EVAL_PICTURES,
                                true)
                        .build().run();
            }
            assertThat(report.captions()).isEqualTo(EVAL_PICTURES);
            assertThat(report.captionAccuracy()).as(report.summary()).isGreaterThanOrEqualTo(0.1);
        }
    }
}
