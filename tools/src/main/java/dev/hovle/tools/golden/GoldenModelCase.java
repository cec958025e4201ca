package dev.hovle.tools.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.train.Losses;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks one golden model case (a folder with config.json, weights, case.json and case.safetensors) against the
 * official outputs, at the tolerances of the fixtures' README.
 */
final class GoldenModelCase {
    static final double TENSOR_TOLERANCE = 1e-4;
    private static final String[] FORWARD_TENSORS = {
        "vision_embeddings", "image_tokens_projected", "holistic_input", "debug.holistic_layer_outputs",
        "holistic_output", "llm_inputs_embeds", "debug.llm_hidden_states", "logits"
    };

    private final Path dir;
    private final String name;
    private final JsonNode caseJson;
    private final List<GoldenRow> rows = new ArrayList<>();

    private GoldenModelCase(Path dir, JsonNode caseJson) {
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.caseJson = caseJson;
    }

    static boolean isModelCase(Path dir) {
        return Files.exists(dir.resolve("case.json")) && Files.exists(dir.resolve("case.safetensors"))
                && Files.exists(dir.resolve("config.json"));
    }

    static List<GoldenRow> verify(Path dir) throws IOException {
        GoldenModelCase c = new GoldenModelCase(dir, new ObjectMapper().readTree(dir.resolve("case.json").toFile()));
        c.run();
        return c.rows;
    }

    private void run() throws IOException {
        try (HoVLEModel model = HoVLEModel.load(dir);
                SafetensorsFile expected = SafetensorsFile.open(dir.resolve("case.safetensors"));
                NDManager scope = model.newScope()) {
            MultimodalInput input = input(expected, scope);
            NDArray pixels = input.pixelValues();

            rows.addAll(GoldenTextChecks.verify(dir, caseJson, expected));
            if (pixels != null) {
                rows.add(GoldenRow.exact(name, "pixel_values (from the image files)",
                        pixelMismatches(expected.floats("pixel_values"))));
            }
            checkForward(model, scope, input, expected);
            checkGreedy(model, scope, input, expected);
            checkTrainingLoss(model, scope, expected, pixels);
            rows.addAll(GoldenGradientChecks.verify(dir, caseJson, expected));
        }
    }

    private void checkForward(HoVLEModel model, NDManager scope, MultimodalInput input, SafetensorsFile expected)
            throws IOException {
        CapturingObserver captured = new CapturingObserver();
        try (NDManager step = scope.newSubManager()) {
            float[] logits = model.forward(step, input, captured).toFloatArray();
            for (String tensor : FORWARD_TENSORS) {
                if (!expected.tensors().containsKey(tensor)) {
                    continue;
                }
                float[] actual = tensor.equals("logits") ? logits : captured.get(tensor);
                double err = actual == null ? Double.POSITIVE_INFINITY
                        : Deviation.maxRelativeError(actual, expected.floats(tensor));
                rows.add(new GoldenRow(name, tensor, "max rel err", err, TENSOR_TOLERANCE));
            }
        }
    }

    /** Greedy decoding twice: recomputing the whole sequence per token (as the fixtures did) and with KV caches. */
    private void checkGreedy(HoVLEModel model, NDManager scope, MultimodalInput input, SafetensorsFile expected)
            throws IOException {
        if (!expected.tensors().containsKey("greedy_tokens")) {
            return;
        }
        long[] want = expected.longs("greedy_tokens");
        float[] wantLogits = expected.floats("greedy_last_logits");
        int steps = want.length;
        int vocab = wantLogits.length / steps;

        long[] recomputed = new long[steps];
        float[] lastLogits = new float[steps * vocab];
        MultimodalInput growing = input;
        for (int s = 0; s < steps; s++) {
            try (NDManager step = scope.newSubManager()) {
                NDArray logits = model.forward(step, growing, ForwardObserver.NONE);
                NDArray last = logits.get(new NDIndex("0, -1"));
                System.arraycopy(last.toFloatArray(), 0, lastLogits, s * vocab, vocab);
                recomputed[s] = last.argMax().getLong();
            }
            growing = growing.followedBy(new int[] {(int) recomputed[s]});
        }
        rows.add(GoldenRow.exact(name, "greedy_tokens (cache-free)", Deviation.mismatches(recomputed, want)));
        rows.add(new GoldenRow(name, "greedy_last_logits (cache-free)", "max rel err",
                Deviation.maxRelativeError(lastLogits, wantLogits), TENSOR_TOLERANCE));

        CachedGreedy cached = CachedGreedy.run(model, scope, input, steps);
        rows.add(GoldenRow.exact(name, "greedy_tokens (KV cache)", Deviation.mismatches(cached.tokens(), want)));
        rows.add(new GoldenRow(name, "greedy_last_logits (KV cache)", "max rel err",
                Deviation.maxRelativeError(cached.logits(), wantLogits), TENSOR_TOLERANCE));
    }

    private void checkTrainingLoss(HoVLEModel model, NDManager scope, SafetensorsFile expected, NDArray pixels)
            throws IOException {
        if (!expected.tensors().containsKey("train_loss")) {
            return;
        }
        int[] ids = ints(expected.longs("train_input_ids"));
        int[] hdIds = expected.tensors().containsKey("train_hd_input_ids")
                ? ints(expected.longs("train_hd_input_ids")) : ids;
        int[] labels = ints(expected.longs("train_labels"));
        try (NDManager step = scope.newSubManager()) {
            NDArray logits = model.forward(step, new MultimodalInput(ids, hdIds, pixels), ForwardObserver.NONE);
            float loss = Losses.nextTokenCrossEntropy(step, logits, labels).getFloat();
            float want = expected.floats("train_loss")[0];
            rows.add(new GoldenRow(name, "train_loss", "rel err", Math.abs(loss - want) / Math.abs(want), TENSOR_TOLERANCE));
        }
    }

    /** Elements of the case's pixel_values that preprocessing its image files does not reproduce bit for bit. */
    private long pixelMismatches(float[] want) throws IOException {
        List<float[]> parts = new ArrayList<>();
        for (JsonNode image : caseJson.path("images")) {
            ImagePreprocessor preprocessor = ImagePreprocessor.builder().setTileSize(image.path("image_size").asInt())
                    .optMaxTiles(image.path("max_num").asInt()).optUseThumbnail(image.path("use_thumbnail").asBoolean(true))
                    .build();
            try {
                parts.add(preprocessor.preprocess(Files.readAllBytes(dir.resolve(image.path("file").asText()))).pixelValues());
            } catch (InvalidImageException e) {
                throw new IOException("image " + image.path("file").asText() + " of the case: " + e.getMessage(), e);
            }
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        if (total != want.length) {
            return Math.max(total, want.length);
        }
        long mismatches = 0;
        int at = 0;
        for (float[] part : parts) {
            for (float v : part) {
                if (Float.floatToIntBits(v) != Float.floatToIntBits(want[at++])) {
                    mismatches++;
                }
            }
        }
        return mismatches;
    }

    /** The case's prompt ids (and HD ids in the post placement) with its pixel values, in {@code scope}. */
    static MultimodalInput input(SafetensorsFile expected, NDManager scope) throws IOException {
        boolean post = expected.tensors().containsKey("hd_input_ids");
        int[] ids = ints(expected.longs("input_ids"));
        int[] hdIds = post ? ints(expected.longs("hd_input_ids")) : ids;
        NDArray pixels = expected.tensors().containsKey("pixel_values")
                ? scope.create(expected.floats("pixel_values"), new Shape(expected.tensors().get("pixel_values").shape()))
                : null;
        return new MultimodalInput(ids, hdIds, pixels);
    }

    static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
