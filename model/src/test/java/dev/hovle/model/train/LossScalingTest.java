package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dynamic loss scaling in the trainer, and why float16 training is refused with DJL 0.35.1. */
class LossScalingTest {

    @Test
    void skipsAnOverflowingStepAndHalvesTheScale() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = Trainer.builder().setModel(model).setStage(InstructionTuning.everything())
                        .setSchedule(LearningRateSchedule.constant(1e-3)).optLossScaler(new LossScaler(1e38, 0, 100))
                        .build()) {
            Batch batch = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 1, 2).get(0);
            Map<String, ByteBuffer> before = TrainerTest.snapshot(model, "");

            StepResult overflow = trainer.step(List.of(batch));
            StepResult next = trainer.step(List.of(batch));

            assertThat(overflow.skipped()).isTrue();
            assertThat(overflow.gradNorm()).isNaN();
            assertThat(next.lossScale()).isEqualTo(5e37);
            assertThat(trainer.state().step()).isEqualTo(2);
            assertThat(overflow.loss()).isEqualTo(next.loss()); // the skipped step changed no weight
            assertThat(TrainerTest.snapshot(model, "")).isNotEqualTo(before); // the second one did
        }
    }

    @Test
    void scalesAndUnscalesWithoutChangingTheUpdate() throws Exception {
        List<Double> plain = losses(LossScaler.off());
        List<Double> scaled = losses(new LossScaler(1024, 0, 2000));
        for (int i = 0; i < plain.size(); i++) {
            assertThat(scaled.get(i)).isCloseTo(plain.get(i), org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void refusesFloat16BecauseDjlCastsCutTheGraph() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.ones(new Shape(3), DataType.FLOAT16);
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray upcast = w.toType(DataType.FLOAT32, false).sum();
                // DJL's torchTo runs under torch::NoGradGuard: the float32 copy has no grad_fn.
                assertThatThrownBy(() -> collector.backward(upcast)).hasMessageContaining("does not require grad");
            }
        }
        try (HoVLEModel half = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT16)) {
            assertThatThrownBy(() -> TrainerTest.trainer(half, InstructionTuning.everything(), 1e-3))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("float32");
        }
    }

    private static List<Double> losses(LossScaler scaler) throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = Trainer.builder().setModel(model).setStage(InstructionTuning.everything())
                        .setSchedule(LearningRateSchedule.constant(3e-3)).optLossScaler(scaler).build()) {
            List<Double> out = new ArrayList<>();
            for (Batch b : TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 4, 2)) {
                StepResult r = trainer.step(List.of(b));
                assertThat(r.skipped()).isFalse();
                out.add(r.loss());
            }
            return out;
        }
    }
}
