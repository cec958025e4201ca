package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gradients must not depend on when the JVM collects garbage. DJL's arithmetic with a Java number ({@code x.div(8)})
 * hands autograd a scalar tensor over a Java direct buffer and drops the buffer at once; a collection between forward
 * and backward freed it, and the backward pass then read freed memory: training saw garbage or NaN gradients at random,
 * most often in a long run (whose sample loader allocates all the time), and never learnt to read the pictures.
 */
class GradientLifetimeTest {

    @Test
    void keepsEveryGradientExactWhenGarbageIsCollectedBetweenForwardAndBackward() throws Exception {
        try (HoVLEModel model = TrainingFixtures.load(TrainingFixtures.tinySnapshot(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(TrainingFixtures.tinySnapshot());
                Trainer trainer = TrainerTest.trainer(model, InstructionTuning.everything(), 1e-3)) {
            Batch batch = TrainingFixtures.shapesBatches(TrainingFixtures.encoder(model, tokenizer), 1, 2).get(0);
            Map<String, Double> undisturbed = trainer.gradientNorms(List.of(batch));

            Map<String, Double> collected = new LinkedHashMap<>();
            try (NDManager scope = model.newScope()) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = Objective.NEXT_TOKEN.lossSum(model, scope, batch);
                    collectAndReuseFreedMemory();
                    collector.backward(loss);
                }
                for (TrainableParameter p : trainer.parameters()) {
                    NDArray g = p.array().getGradient();
                    g.attach(scope);
                    // gradientNorms differentiates the mean loss, this the summed one
                    collected.put(p.name(), g.norm().getFloat() / (double) batch.targets(Objective.NEXT_TOKEN));
                    g.set(new NDIndex("..."), 0f);
                }
            }
            List<String> changed = new ArrayList<>();
            undisturbed.forEach((name, norm) -> {
                Double after = collected.get(name);
                if (after == null || !(Math.abs(after - norm) <= 1e-5 * norm + 1e-12)) {
                    changed.add(name + ": " + norm + " -> " + after);
                }
            });
            assertThat(changed).as("gradient norms changed by a collection").isEmpty();
        }
    }

    /** Lets the JVM free every unreachable direct buffer, then hands that memory out again with other bytes in it. */
    private static void collectAndReuseFreedMemory() throws InterruptedException {
        System.gc();
        Thread.sleep(100); // the cleaner thread frees the buffers' native memory
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            b.putFloat(0, 1234.5f).putFloat(4, 1234.5f);
            reuse.add(b);
        }
        assertThat(reuse).hasSize(20_000);
    }
}
