package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.snapshot.RandomSnapshot;
import dev.hovle.model.weights.SafetensorsFile;
import dev.hovle.model.weights.SafetensorsWriter;
import dev.hovle.model.weights.TensorDtype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: a complete snapshot in the released layout (float32 safetensors, {@code config.json} as
 * loaded, the tokenizer files), which {@code HoVLEModel.load} and the official Python code load as any release, plus
 * {@value #OPTIMIZER_FILE} (AdamW's moments, {@code exp_avg.<name>} and {@code exp_avg_sq.<name>}) and
 * {@value #STATE_FILE} (step, data position, loss scale, per-tensor optimizer steps, run settings).
 */
public final class TrainingCheckpoint {
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "trainer_state.json";
    /** The tokenizer files of an InternLM2 / InternVL snapshot, copied when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.model", "tokenizer_config.json",
            "added_tokens.json", "special_tokens_map.json", "tokenizer.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingCheckpoint() {}

    /** Writes the trainer's model, optimizer and state into {@code dir}, copying tokenizer files from {@code source}. */
    public static void save(Path dir, Trainer trainer, Path source, RunSettings settings) throws IOException {
        Files.createDirectories(dir);
        HoVLEModel model = trainer.model();
        {
            List<SafetensorsWriter.Entry> weights = new ArrayList<>();
            for (String name : model.weights().byName().keySet()) {
                weights.add(entry(name, trainer.weight(name)));
            }
            SafetensorsWriter.writeCheckpoint(dir, weights, RandomSnapshot.DEFAULT_SHARD_BYTES);
            List<SafetensorsWriter.Entry> moments = new ArrayList<>();
            for (Map.Entry<String, AdamW.Moments> m : trainer.optimizer().moments().entrySet()) {
                moments.add(entry("exp_avg." + m.getKey(), m.getValue().expAvg()));
                moments.add(entry("exp_avg_sq." + m.getKey(), m.getValue().expAvgSq()));
            }
            SafetensorsWriter.write(dir.resolve(OPTIMIZER_FILE), moments);
        }
        Files.writeString(dir.resolve(HoVLEConfig.FILE_NAME), model.config().json(), StandardCharsets.UTF_8);
        if (!source.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
            for (String file : TOKENIZER_FILES) {
                if (Files.exists(source.resolve(file))) {
                    Files.copy(source.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(dir.resolve(STATE_FILE), JSON.writeValueAsString(stateJson(trainer, settings)),
                StandardCharsets.UTF_8);
    }

    /** Whether {@code dir} holds a training checkpoint (not only a snapshot). */
    public static boolean isCheckpoint(Path dir) {
        return Files.exists(dir.resolve(STATE_FILE)) && Files.exists(dir.resolve(OPTIMIZER_FILE));
    }

    /** The run settings a checkpoint was written with. */
    public static RunSettings settings(Path dir) throws IOException {
        return RunSettings.read(JSON.readTree(dir.resolve(STATE_FILE).toFile()).path("settings"));
    }

    /**
     * Restores optimizer moments and trainer state from {@code dir} into a trainer whose model was
     * loaded from the same directory.
     */
    public static void restore(Path dir, Trainer trainer) throws IOException {
        JsonNode state = JSON.readTree(dir.resolve(STATE_FILE).toFile());
        JsonNode steps = state.path("tensor_steps");
        NDManager manager = trainer.model().newScope();
        try (SafetensorsFile moments = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
            for (TrainableParameter p : trainer.parameters()) {
                if (!steps.has(p.name())) {
                    continue; // never updated before the checkpoint
                }
                trainer.optimizer().restore(p.name(), moments.read("exp_avg." + p.name(), manager, DataType.FLOAT32),
                        moments.read("exp_avg_sq." + p.name(), manager, DataType.FLOAT32), steps.get(p.name()).asLong());
            }
        } finally {
            manager.close();
        }
        JsonNode scaler = state.path("loss_scaler");
        trainer.restoreState(new TrainerState(state.path("step").asLong(), state.path("samples_seen").asLong(),
                new LossScaler(scaler.path("scale").asDouble(1), scaler.path("clean_steps").asInt(),
                        scaler.path("growth_interval").asInt())));
    }

    private static ObjectNode stateJson(Trainer trainer, RunSettings settings) {
        TrainerState state = trainer.state();
        ObjectNode root = JSON.createObjectNode();
        root.put("step", state.step()).put("samples_seen", state.samplesSeen());
        root.putObject("loss_scaler").put("scale", state.scaler().scale())
                .put("clean_steps", state.scaler().cleanSteps()).put("growth_interval", state.scaler().growthInterval());
        AdamW.Config adam = trainer.optimizer().config();
        root.putObject("optimizer").put("type", "AdamW").put("beta1", adam.beta1()).put("beta2", adam.beta2())
                .put("eps", adam.eps()).put("weight_decay", adam.weightDecay());
        ObjectNode steps = root.putObject("tensor_steps");
        trainer.optimizer().moments().forEach((name, m) -> steps.put(name, m.step()[0]));
        settings.write(root.putObject("settings"));
        return root;
    }

    /** A float32 tensor's little-endian bytes, written when the writer reaches it. */
    private static SafetensorsWriter.Entry entry(String name, NDArray array) {
        return new SafetensorsWriter.Entry(name, TensorDtype.F32, array.getShape().getShape(), channel -> {
            NDArray f32 = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
            ByteBuffer bytes = f32.toByteBuffer();
            if (bytes.order() != ByteOrder.LITTLE_ENDIAN) {
                ByteBuffer little = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                little.asFloatBuffer().put(bytes.asFloatBuffer());
                bytes = little;
            }
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (f32 != array) {
                f32.close();
            }
        });
    }
}
