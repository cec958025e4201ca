package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.weights.Checkpoint;
import dev.hovle.model.weights.WeightLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {
    private static final RunSettings SETTINGS = new RunSettings(new OptimizerSettings(Stage.Kind.INSTRUCTION, -1, 2,
            2, 5e-3, 2, 6, 0.1, 0.01, 1.0, 0.5), "shapes", 9, 0);

    @TempDir
    Path dir;

    @Test
    void resumesTrainingAtExactStep() throws Exception {
        Path source = TrainingFixtures.tinySnapshot();
        Path saved = dir.resolve("after-3");
        List<Double> straight = new ArrayList<>();
        Map<String, ByteBuffer> straightWeights;
        try (HoVLEModel model = TrainingFixtures.load(source, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(source);
                Trainer trainer = trainer(model)) {
            SampleEncoder encoder = TrainingFixtures.encoder(model, tokenizer);
            try (BatchLoader loader = loader(encoder, 0)) {
                for (int step = 0; step < 6; step++) {
                    if (step == 3) {
                        TrainingCheckpoint.save(saved, trainer, source, SETTINGS);
                    }
                    straight.add(trainer.step(List.of(loader.next(), loader.next())).loss());
                }
            }
            straightWeights = TrainerTest.snapshot(model, "");
        }

        List<Double> resumed = new ArrayList<>();
        try (HoVLEModel model = TrainingFixtures.load(saved, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(saved);
                Trainer trainer = trainer(model)) {
            TrainingCheckpoint.restore(saved, trainer);
            assertThat(trainer.state().step()).isEqualTo(3);
            assertThat(trainer.state().samplesSeen()).isEqualTo(12);
            try (BatchLoader loader = loader(TrainingFixtures.encoder(model, tokenizer), trainer.state().samplesSeen())) {
                while (trainer.state().step() < 6) {
                    resumed.add(trainer.step(List.of(loader.next(), loader.next())).loss());
                }
            }
            assertThat(resumed).isEqualTo(straight.subList(3, 6));
            assertThat(TrainerTest.snapshot(model, "")).isEqualTo(straightWeights);
        }
    }

    @Test
    void writesASnapshotInTheReleasedLayout() throws Exception {
        Path source = TrainingFixtures.tinySnapshot();
        Path out = dir.resolve("ckpt");
        try (HoVLEModel model = TrainingFixtures.load(source, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(source);
                Trainer trainer = trainer(model)) {
            try (BatchLoader loader = loader(TrainingFixtures.encoder(model, tokenizer), 0)) {
                trainer.step(List.of(loader.next()));
            }
            TrainingCheckpoint.save(out, trainer, source, SETTINGS);
            try (Checkpoint weights = Checkpoint.open(out)) {
                assertThat(weights.names()).containsExactlyInAnyOrderElementsOf(
                        WeightLoader.layout(model.config()).stream().map(WeightLoader.TensorSpec::name).toList());
            }
            assertThat(Files.readString(out.resolve("config.json"))).isEqualTo(Files.readString(source.resolve("config.json")));
            for (String file : TrainingCheckpoint.TOKENIZER_FILES) {
                if (Files.exists(source.resolve(file))) {
                    assertThat(out.resolve(file)).hasSameBinaryContentAs(source.resolve(file));
                }
            }
            assertThat(TrainingCheckpoint.settings(out)).isEqualTo(SETTINGS);
            Map<String, ByteBuffer> trained = TrainerTest.snapshot(model, "");
            try (HoVLEModel reloaded = HoVLEModel.load(out)) {
                assertThat(TrainerTest.snapshot(reloaded, "")).isEqualTo(trained);
            }
        }
    }

    private static Trainer trainer(HoVLEModel model) {
        return SETTINGS.optimizer().trainer(model).build();
    }

    private static BatchLoader loader(SampleEncoder encoder, long position) {
        ShapesDataset data = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(SETTINGS.seed())
                .optSize(50).build();
        return new BatchLoader(data, encoder, SETTINGS.seed(), SETTINGS.optimizer().batchSize(), position, 2);
    }
}
