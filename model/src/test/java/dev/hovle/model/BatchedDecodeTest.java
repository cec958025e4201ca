package dev.hovle.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.cache.SequenceCaches;
import dev.hovle.model.cache.SlotKvCache;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batched decode over slots of different lengths against each sequence decoded alone. */
class BatchedDecodeTest {

    @Test
    void batchedDecodeLogitsMatchEachSequenceDecodedAlone() throws Exception {
        try (HoVLEModel model = HoVLEModel.load(TestModels.goldenCase()); NDManager scope = model.newScope()) {
            Random random = new Random(9);
            int batch = 4;
            int[][] prompts = new int[batch][];
            for (int b = 0; b < batch; b++) {
                prompts[b] = random.ints(5 + random.nextInt(50), 3, 300).toArray();
            }
            int steps = 6;
            float[][][] alone = new float[batch][steps][];
            for (int b = 0; b < batch; b++) {
                try (NDManager request = scope.newSubManager();
                        SequenceCaches caches = model.newCaches(request, 80, 80)) {
                    NDArray logits = model.prefill(request, MultimodalInput.of(prompts[b], null), caches);
                    for (int s = 0; s < steps; s++) {
                        alone[b][s] = logits.toFloatArray();
                        logits = model.decode(request, 3 + s, caches);
                    }
                }
            }
            double worst = 0;
            try (SlotKvCache holistic = new SlotKvCache(scope, model.config().embedding().transformer(), batch, 80,
                    DataType.FLOAT32);
                    SlotKvCache llm = new SlotKvCache(scope, model.config().llm().transformer(), batch, 80,
                            DataType.FLOAT32)) {
                float[][] first = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    try (NDManager step = scope.newSubManager()) {
                        ChunkedPrefill prefill = model.startPrefill(step, MultimodalInput.of(prompts[b], null),
                                holistic.slot(b), llm.slot(b));
                        NDArray logits = null;
                        while (logits == null) {
                            logits = prefill.advance(step, 7); // several chunks per prompt
                        }
                        first[b] = logits.toFloatArray();
                    }
                }
                for (int b = 0; b < batch; b++) {
                    worst = Math.max(worst, relativeDifference(first[b], alone[b][0]));
                }
                for (int s = 1; s < steps; s++) {
                    int[] tokens = new int[batch];
                    java.util.Arrays.fill(tokens, 3 + s - 1);
                    try (NDManager step = scope.newSubManager()) {
                        float[] all = model.decodeBatch(step, tokens, holistic, llm).toFloatArray();
                        int vocab = all.length / batch;
                        for (int b = 0; b < batch; b++) {
                            float[] row = java.util.Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab);
                            worst = Math.max(worst, relativeDifference(row, alone[b][s]));
                        }
                    }
                }
            }
            System.out.printf("largest logit difference, batched and chunked vs alone: %.3e (relative)%n", worst);
            assertThat(worst).isLessThan(1e-5);
        }
    }

    @Test
    void float16ComputeStaysCloseToFloat32() throws Exception {
        Device cpu = Device.cpu();
        try (HoVLEModel f32 = HoVLEModel.load(TestModels.goldenCase(), cpu, DataType.FLOAT32);
                HoVLEModel f16 = HoVLEModel.load(TestModels.goldenCase(), cpu, DataType.FLOAT16);
                NDManager a = f32.newScope(); NDManager b = f16.newScope()) {
            int[] prompt = new Random(1).ints(40, 3, 300).toArray();
            float[] full = f32.forward(a, MultimodalInput.of(prompt, null), ForwardObserver.NONE).toFloatArray();
            float[] half = f16.forward(b, MultimodalInput.of(prompt, null), ForwardObserver.NONE)
                    .toType(DataType.FLOAT32, false).toFloatArray();
            assertThat(relativeDifference(half, full)).isLessThan(2e-2);
        }
    }

    private static double relativeDifference(float[] actual, float[] expected) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / scale;
    }
}
