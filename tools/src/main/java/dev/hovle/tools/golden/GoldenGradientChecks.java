package dev.hovle.tools.golden;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.WeightMode;
import dev.hovle.model.train.Alignment;
import dev.hovle.model.train.Batch;
import dev.hovle.model.train.EncodedSample;
import dev.hovle.model.train.InstructionTuning;
import dev.hovle.model.train.LearningRateSchedule;
import dev.hovle.model.train.Stage;
import dev.hovle.model.train.Trainer;
import dev.hovle.model.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The training half of a golden model case: the loss and the gradient norms of the official backward, with the LLM
 * frozen (the alignment stage) and with everything trainable (instruction tuning), computed by the trainer.
 */
final class GoldenGradientChecks {
    private GoldenGradientChecks() {}

    /** Rows for {@code train_loss} and every {@code grad_norm.<regime>.<param>} of the case; none without them. */
    static List<GoldenRow> verify(Path dir, JsonNode caseJson, SafetensorsFile expected) throws IOException {
        List<GoldenRow> rows = new ArrayList<>();
        JsonNode regimes = caseJson.path("grad_norms");
        if (!expected.tensors().containsKey("train_loss") || !regimes.isObject()) {
            return rows;
        }
        String name = dir.getFileName().toString();
        Batch batch = new Batch(List.of(trainingSample(expected)));
        try (HoVLEModel model = HoVLEModel.load(dir, Device.cpu(), DataType.FLOAT32, WeightMode.TRAINING)) {
            for (Iterator<String> it = regimes.fieldNames(); it.hasNext(); ) {
                String regime = it.next();
                Stage stage = switch (regime) {
                    case "llm_frozen" -> new Alignment();
                    case "all_trainable" -> InstructionTuning.everything();
                    default -> throw new IOException("unknown gradient regime '" + regime + "' in case.json");
                };
                Map<String, Double> norms;
                try (Trainer trainer = Trainer.builder().setModel(model).setStage(stage)
                        .setSchedule(LearningRateSchedule.constant(1e-3)).build()) {
                    norms = trainer.gradientNorms(List.of(batch));
                }
                for (Iterator<Map.Entry<String, JsonNode>> p = regimes.path(regime).fields(); p.hasNext(); ) {
                    Map.Entry<String, JsonNode> param = p.next();
                    String quantity = "grad_norm." + regime + "." + param.getKey();
                    Double actual = norms.get(param.getKey());
                    if (param.getValue().isNull()) {
                        rows.add(new GoldenRow(name, quantity + " (no gradient)", "mismatches", actual == null ? 0 : 1, 0));
                    } else {
                        double want = expected.floats(quantity)[0];
                        double err = actual == null ? Double.POSITIVE_INFINITY : Math.abs(actual - want) / Math.abs(want);
                        rows.add(new GoldenRow(name, quantity, "rel err", err, GoldenModelCase.TENSOR_TOLERANCE));
                    }
                }
            }
        }
        return rows;
    }

    /** The case's labelled sequence with its image tiles, as the trainer consumes it. */
    static EncodedSample trainingSample(SafetensorsFile expected) throws IOException {
        int[] ids = GoldenModelCase.ints(expected.longs("train_input_ids"));
        int[] hdIds = expected.tensors().containsKey("train_hd_input_ids")
                ? GoldenModelCase.ints(expected.longs("train_hd_input_ids")) : ids;
        int[] labels = GoldenModelCase.ints(expected.longs("train_labels"));
        if (!expected.tensors().containsKey("pixel_values")) {
            return new EncodedSample("golden", ids, hdIds, labels, null, 0, 0, null);
        }
        long[] shape = expected.tensors().get("pixel_values").shape();
        return new EncodedSample("golden", ids, hdIds, labels, expected.floats("pixel_values"), (int) shape[0],
                (int) shape[2], null);
    }
}
