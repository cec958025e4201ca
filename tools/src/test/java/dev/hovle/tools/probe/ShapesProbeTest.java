package dev.hovle.tools.probe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.model.weights.TensorDtype;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesProbeTest {

    @Test
    void readsColourFromTheImageTokensOfAnUntrainedModelAfterEveryLayer(@TempDir Path dir) throws Exception {
        ShapesProbe.Report report = probeUntrainedTiny(dir, PixelShuffleLocation.PRE, 200);

        assertThat(report.rows()).extracting(ShapesProbe.Row::representation).containsExactly("holistic input",
                "holistic layer 0", "holistic layer 1", "LLM layer 0", "LLM layer 1", "LLM layer 2");
        // Random projections of the pixels keep the fill colour: far above the 1-in-6 of guessing.
        assertThat(report.rows()).allSatisfy(row -> assertThat(row.colour().heldOutAccuracy()).isGreaterThan(0.5));
        assertThat(report.rows().get(0).kind().heldOutAccuracy()).isGreaterThan(0.25);
        assertThat(report.table()).contains("kind (1/4)", "colour (1/6)", "cell (1/4)", "LLM layer 2");
    }

    @Test
    void probesTheLlmInputWhenTheHolisticLayersRunOnPatches(@TempDir Path dir) throws Exception {
        ShapesProbe.Report report = probeUntrainedTiny(dir, PixelShuffleLocation.POST, 40);

        assertThat(report.rows()).extracting(ShapesProbe.Row::representation).containsExactly("LLM input",
                "LLM layer 0", "LLM layer 1", "LLM layer 2");
    }

    private static ShapesProbe.Report probeUntrainedTiny(Path dir, PixelShuffleLocation placement, int pictures)
            throws Exception {
        SnapshotInitializer.create(dir, ModelSize.TINY, TensorDtype.F32, placement, 0);
        try (HoVLEModel model = HoVLEModel.load(dir, Device.cpu(), DataType.FLOAT32);
                HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            return ShapesProbe.run(model, SampleEncoder.forModel(model.config(), tokenizer), pictures);
        }
    }
}
