package dev.hovle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoVLEModelTest {

    @Test
    void batchedForwardGivesEachPromptItsOwnLogits() throws Exception {
        checkBatchInvariance(TestModels.goldenCase(), 1);
    }

    @Test
    void batchedForwardGivesEachPromptItsOwnLogitsInThePostPlacement(@TempDir Path temp) throws Exception {
        checkBatchInvariance(TestModels.asPostPlacement(TestModels.goldenCase(), temp), 4);
    }

    private static void checkBatchInvariance(Path modelDir, int hdFactor) throws Exception {
        Path golden = TestModels.goldenCase();
        int[] prompt = TestModels.promptIds(golden);
        float[] pixelValues = TestModels.pixelValues(golden);
        try (HoVLEModel model = HoVLEModel.load(modelDir); NDManager scope = model.newScope()) {
            NDArray pixels = scope.create(pixelValues, new Shape(3, 3, 56, 56));
            Random random = new Random(3);
            List<MultimodalInput> inputs = new ArrayList<>();
            inputs.add(new MultimodalInput(prompt, TestModels.hdIds(prompt, 313, hdFactor), pixels));
            for (int i = 0; i < 3; i++) {
                int[] text = random.ints(4 + random.nextInt(30), 3, 300).toArray();
                inputs.add(MultimodalInput.of(text, null));
            }
            NDArray batched = model.forward(scope, inputs, ForwardObserver.NONE);
            for (int b = 0; b < inputs.size(); b++) {
                MultimodalInput input = inputs.get(b);
                NDArray alone = model.forward(scope, input, ForwardObserver.NONE).get(0);
                NDArray inBatch = batched.get(new NDIndex("{}, :{}", b, input.inputIds().length));
                double diff = inBatch.sub(alone).abs().max().getFloat();
                double scale = alone.abs().max().getFloat();
                assertThat(diff / scale).as("prompt %d", b).isLessThan(1e-5);
            }
        }
    }

    @Test
    void aForwardFreesEachLayersTemporariesAsItGoes() throws Exception {
        Path golden = TestModels.goldenCase();
        try (HoVLEModel model = HoVLEModel.load(golden); NDManager scope = model.newScope()) {
            NDArray pixels = scope.create(TestModels.pixelValues(golden), new Shape(3, 3, 56, 56));
            MultimodalInput input = MultimodalInput.of(TestModels.promptIds(golden), pixels);
            int layers = model.config().embedding().transformer().numLayers()
                    + model.config().llm().transformer().numLayers();
            int before = model.liveNativeArrays();
            model.forward(scope, input, ForwardObserver.NONE);
            int grown = model.liveNativeArrays() - before;
            // A layer makes ~60 arrays (norms, projections, rotary, attention: 373 alive after this forward when they
            // all lived to the end of the step); only its output may outlive it, with the few views it takes of the
            // step's shared rotary tables and mask. The rest is the embedding, the final norm and the logits (93 now).
            assertThat(grown).as("arrays left alive by a forward over %d layers", layers).isLessThan(40 + 20 * layers);
        }
    }

    @Test
    void refusesAMismatchBetweenContextTokensAndImages() throws Exception {
        Path golden = TestModels.goldenCase();
        try (HoVLEModel model = HoVLEModel.load(golden); NDManager scope = model.newScope()) {
            int[] prompt = TestModels.promptIds(golden);
            assertThatThrownBy(() -> model.forward(scope, MultimodalInput.of(prompt, null), ForwardObserver.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("12 <IMG_CONTEXT> tokens but its images give 0 image tokens");
        }
    }
}
