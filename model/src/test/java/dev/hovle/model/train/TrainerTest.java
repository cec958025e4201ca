package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.weights.Checkpoint;
import dev.hovle.model.weights.HostViews;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {

    @Test
    void padsBatchesWithoutChangingAnyLossTerm() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                NDManager scope = model.newScope()) {
            Batch pair = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 1, 2).get(0);
            assertThat(pair.samples().get(0).inputIds().length).isNotEqualTo(pair.samples().get(1).inputIds().length);
            double together = Objective.NEXT_TOKEN.lossSum(model, scope, pair).getFloat();
            double apart = 0;
            for (EncodedSample s : pair.samples()) {
                apart += Objective.NEXT_TOKEN.lossSum(model, scope, new Batch(List.of(s))).getFloat();
            }
            assertThat(together).isCloseTo(apart, within(1e-5 * apart));
        }
    }

    @Test
    void accumulatesMicroBatchesExactlyAsOneBatch() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = trainer(model, InstructionTuning.everything(), 1e-3)) {
            List<Batch> halves = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 2, 2);
            List<EncodedSample> all = new ArrayList<>(halves.get(0).samples());
            all.addAll(halves.get(1).samples());
            Map<String, Double> accumulated = trainer.gradientNorms(halves);
            Map<String, Double> whole = trainer.gradientNorms(List.of(new Batch(all)));
            assertThat(accumulated.keySet()).isEqualTo(whole.keySet());
            whole.forEach((name, norm) -> assertThat(accumulated.get(name)).as(name).isCloseTo(norm, within(1e-5 * norm)));
        }
    }

    /**
     * The paper aligns a new holistic module with a trained LLM: train the tiny model briefly, put its holistic module
     * back to the random initial weights, then align it with the LLM frozen.
     */
    @Test
    void keepsLlmBitIdenticalDuringAlignmentWhileTheLossHalves() throws Exception {
        Path snapshot = TrainingFixtures.tinySnapshot();
        try (HoVLEModel model = TrainingFixtures.load(snapshot, DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(snapshot)) {
            List<Batch> batches = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 41, 4);
            Batch heldOut = batches.remove(40);
            try (Trainer instruction = trainer(model, InstructionTuning.everything(), 1e-2)) {
                for (Batch b : batches) {
                    instruction.step(List.of(b));
                }
            }
            restore(model, snapshot, Stage.HOLISTIC);
            Map<String, ByteBuffer> llmBefore = snapshot(model, "language_model.");
            Map<String, ByteBuffer> holisticBefore = snapshot(model, "embedding_model.");
            double before = meanLoss(model, heldOut, Objective.NEXT_TOKEN);
            try (Trainer alignment = trainer(model, new Alignment(), 1e-2)) {
                for (Batch b : batches) {
                    alignment.step(List.of(b));
                }
            }
            double after = meanLoss(model, heldOut, Objective.NEXT_TOKEN);
            assertThat(after).as("held-out loss %.3f -> %.3f", before, after).isLessThanOrEqualTo(before / 2);
            assertThat(snapshot(model, "language_model.")).isEqualTo(llmBefore);
            assertThat(snapshot(model, "embedding_model.")).isNotEqualTo(holisticBefore);
        }
    }

    @Test
    void learningRateScaleOfZeroHoldsTheVisionPathWhileTheRestLearns() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = Trainer.builder().setModel(model).setStage(InstructionTuning.everything())
                        .setSchedule(new LearningRateSchedule(1e-2, 1, 10, 0.1))
                        .optLearningRateScale(TrainableParameter::isVisionPath, 0).build()) {
            Map<String, ByteBuffer> visionBefore = snapshot(model, "embedding_model.vision_embeddings.");
            visionBefore.putAll(snapshot(model, "embedding_model.pixel_shuffle_proj."));
            Map<String, ByteBuffer> holisticBefore = snapshot(model, "embedding_model.encoder.");
            trainer.step(TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 1, 2));
            Map<String, ByteBuffer> visionAfter = snapshot(model, "embedding_model.vision_embeddings.");
            visionAfter.putAll(snapshot(model, "embedding_model.pixel_shuffle_proj."));
            assertThat(visionAfter).isEqualTo(visionBefore);
            assertThat(snapshot(model, "embedding_model.encoder.")).isNotEqualTo(holisticBefore);
            assertThat(trainer.learningRateScale("embedding_model.pixel_shuffle_proj.0.weight")).isZero();
            assertThat(trainer.learningRateScale("language_model.output.weight")).isEqualTo(1);
        }
    }

    /** Overwrites the weights whose names start with {@code prefix} with their values in {@code snapshot}. */
    static void restore(HoVLEModel model, Path snapshot, String prefix) throws Exception {
        try (Checkpoint initial = Checkpoint.open(snapshot); NDManager scope = model.newScope()) {
            for (Map.Entry<String, NDArray> e : model.weights().byName().entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    NDArray weight = e.getValue();
                    weight.tempAttach(scope);
                    weight.muli(0).addi(initial.read(e.getKey(), scope, DataType.FLOAT32, true, HostViews.none()));
                }
            }
        }
    }

    @Test
    void distillationRaisesCosineToTheTeacherFromNearZero() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = trainer(model, new Distillation(), 1e-2)) {
            SampleEncoder encoder = TrainingFixtures.encoder(model, tokenizer).withTeacher(new SyntheticTeacher(
                    model.config().llm().transformer().hiddenSize(), 14, 2, 5));
            List<Batch> batches = TrainingFixtures.shapesBatches(encoder, 61, 2);
            Batch heldOut = batches.remove(60);
            Map<String, ByteBuffer> llmBefore = snapshot(model, "language_model.");
            double before = -meanLoss(model, heldOut, Objective.TEACHER_COSINE);
            for (Batch b : batches) {
                trainer.step(List.of(b));
            }
            double after = -meanLoss(model, heldOut, Objective.TEACHER_COSINE);
            assertThat(before).as("initial mean cosine").isBetween(-0.1, 0.1);
            assertThat(after).as("mean cosine %.3f -> %.3f", before, after).isGreaterThanOrEqualTo(0.9);
            assertThat(snapshot(model, "language_model.")).isEqualTo(llmBefore);
        }
    }

    @Test
    void holdsTheNativeArrayCountFlatOverManySteps() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = trainer(model, InstructionTuning.everything(), 1e-3)) {
            List<Batch> batches = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 3, 1);
            for (Batch b : batches) {
                trainer.step(List.of(b)); // every tensor now has its moments
            }
            int settled = model.liveNativeArrays();
            for (int i = 0; i < 40; i++) {
                trainer.step(List.of(batches.get(i % 3), batches.get((i + 1) % 3)));
                assertThat(model.liveNativeArrays()).as("after step %d", i).isEqualTo(settled);
            }
        }
    }

    @Test
    void stepsOnAFreshThreadWherePyTorchGradModeIsOn() throws Exception {
        // A Flink task thread is such a thread: PyTorch's grad mode is per thread, on unless DJL switched it off.
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = trainer(model, InstructionTuning.everything(), 1e-3)) {
            Batch batch = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 1, 2).get(0);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    trainer.step(List.of(batch));
                    trainer.step(List.of(batch));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.start();
            thread.join();
            assertThat(failure.get()).isNull();
            assertThat(trainer.state().step()).isEqualTo(2);
        }
    }

    @Test
    void trainsOnlyTheHolisticModuleAndTheLastLlmLayers() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32)) {
            int layers = model.config().llm().transformer().numLayers();
            List<String> names = TrainableParameter.select(model.weights(),
                    InstructionTuning.holisticAndLastLayers(layers, 1)).stream().map(TrainableParameter::name).toList();
            assertThat(names).contains("embedding_model.encoder.0.attention.wqkv.weight",
                    "language_model.model.layers." + (layers - 1) + ".feed_forward.w2.weight",
                    "language_model.model.norm.weight", "language_model.output.weight")
                    .doesNotContain("language_model.model.layers." + (layers - 2) + ".feed_forward.w2.weight",
                            "language_model.model.tok_embeddings.weight",
                            "embedding_model.vision_embeddings.class_embedding");
            assertThat(TrainableParameter.select(model.weights(), InstructionTuning.everything()))
                    .hasSize(model.weights().byName().size() - TrainableParameter.NEVER_READ.size());
        }
    }

    static Trainer trainer(HoVLEModel model, Stage stage, double lr) {
        return Trainer.builder().setModel(model).setStage(stage).setSchedule(new LearningRateSchedule(lr, 5, 100, 0.1))
                .optOptimizer(AdamW.Config.defaults().withWeightDecay(0)).build();
    }

    static double meanLoss(HoVLEModel model, Batch batch, Objective objective) {
        try (NDManager scope = model.newScope()) {
            return objective.lossSum(model, scope, batch).getFloat() / batch.targets(objective);
        }
    }

    /** The bytes of every weight whose name starts with {@code prefix}. */
    static Map<String, ByteBuffer> snapshot(HoVLEModel model, String prefix) {
        Map<String, ByteBuffer> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.weights().byName().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                ByteBuffer bytes = e.getValue().toByteBuffer();
                ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
                copy.put(bytes).flip();
                out.put(e.getKey(), copy);
            }
        }
        return out;
    }
}
