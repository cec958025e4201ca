package dev.hovle.model.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.WeightMode;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prompt.ChatTemplate;
import dev.hovle.model.prompt.PromptBuilder;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.weights.TensorDtype;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny random snapshot (made once per test JVM) and shapes batches for the training tests. */
final class TrainingFixtures {
    /** Short system message: the tests' sequences stay short, so they train fast on two cores. */
    static final String SYSTEM_MESSAGE = "You are a helpful assistant.";
    private static Path tiny;

    private TrainingFixtures() {}

    /** A random {@code tiny} snapshot with tokenizer files. */
    static synchronized Path tinySnapshot() {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (tiny == null) {
            try {
                Path dir = Files.createTempDirectory("hovle-train-tiny");
                SnapshotInitializer.create(dir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 11);
                dir.toFile().deleteOnExit();
                tiny = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tiny;
    }

    static HoVLEModel load(Path dir, DataType dtype) throws IOException {
        return HoVLEModel.load(dir, Device.cpu(), dtype, WeightMode.TRAINING);
    }

    /** The model's encoder with the short system message. */
    static SampleEncoder encoder(HoVLEModel model, HoVLETokenizer tokenizer) {
        return SampleEncoder.forModel(model.config(), tokenizer).withPrompts(PromptBuilder.builder()
                .setTemplate(ChatTemplate.named(model.config().template()))
                .setNumImageToken(model.config().tokensPerTile()).optSystemMessage(SYSTEM_MESSAGE).build());
    }

    /** {@code count} batches of {@code size} consecutive TRAIN samples, each a picture's whole conversation. */
    static List<Batch> shapesBatches(SampleEncoder encoder, int count, int size) {
        ShapesDataset data = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(1)
                .optWholeConversation(true).build();
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            List<EncodedSample> samples = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                try {
                    samples.add(encoder.encode(data.get(b * size + i)));
                } catch (InvalidImageException e) {
                    throw new IllegalStateException(e);
                }
            }
            batches.add(new Batch(samples));
        }
        return batches;
    }
}
