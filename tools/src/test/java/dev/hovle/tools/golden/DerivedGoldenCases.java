package dev.hovle.tools.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.MultimodalInput;
import dev.hovle.model.TestModels;
import dev.hovle.model.train.Losses;
import dev.hovle.model.vision.ImagePreprocessor;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.weights.SafetensorsFile;
import dev.hovle.model.weights.SafetensorsWriter;
import dev.hovle.model.weights.TensorDtype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Model-case folders in the golden README's format, derived from the public case {@code case1_pre_1image_3tiles}:
 * same weights and image, another chat request or another rope. The text side (prompt, ids, labels) is written from
 * the official semantics independently of the library; the model outputs (logits, greedy decoding, loss) are the
 * library's cache-free forward, which the public case pins to the official code, so the folders test what the
 * verifier does with them: history through the text checks, KV-cached greedy decoding past the NTK limit.
 */
final class DerivedGoldenCases {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GREEDY_STEPS = 8;
    private static final int IM_END = 309;

    private DerivedGoldenCases() {}

    /**
     * The public case asked a follow-up question: the history and question of {@code template_examples}' two-turn
     * conversation, about the same image cut into one tile (max_num 1), so the prompt is that official string.
     */
    static Path withHistory(Path temp) throws IOException, InvalidImageException {
        Path source = TestModels.goldenCase();
        Path dir = copyCase(source, temp.resolve("case_history_1tile"));
        ObjectNode caseJson = (ObjectNode) JSON.readTree(source.resolve("case.json").toFile());
        ArrayNode history = caseJson.putArray("history");
        history.addArray().add("<image>\nWhat is shown in the picture?").add("A cat sitting on a sofa.");
        caseJson.put("question", "What colour is it?");
        caseJson.putArray("num_patches_list").add(1);
        ObjectNode image = (ObjectNode) caseJson.get("images").get(0);
        image.put("max_num", 1);
        image.put("num_tiles", 1);
        image.putArray("grid_cols_rows").add(1).add(1);
        String prompt = caseJson.get("template_examples").get("two_turn_1_tile").asText();
        caseJson.put("prompt", prompt);
        caseJson.put("answer", "It is brown.");
        caseJson.remove("grad_norms");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("case.json").toFile(), caseJson);

        JsonNode specials = caseJson.get("special_token_ids");
        long[] ids = fixtureIds(prompt, specials);
        long[] answer = fixtureIds(caseJson.get("answer").asText(), specials);
        long[] trainIds = Arrays.copyOf(ids, ids.length + answer.length); // the answer's BOS gives way to <|im_end|>
        System.arraycopy(answer, 1, trainIds, ids.length, answer.length - 1);
        trainIds[trainIds.length - 1] = IM_END;
        long[] labels = trainIds.clone();
        Arrays.fill(labels, 0, ids.length, -100);
        float[] pixels = ImagePreprocessor.builder().setTileSize(image.get("image_size").asInt()).optMaxTiles(1).build()
                .preprocess(Files.readAllBytes(dir.resolve(image.get("file").asText()))).pixelValues();
        writeExpected(dir, ids, pixels, trainIds, labels);
        return dir;
    }

    /**
     * The public case on a model whose stacks use dynamic NTK past small limits: the holistic sequence (235 ids, pre
     * placement) is past 16 throughout, and the LLM crosses 238 during the 8 greedy steps.
     */
    static Path withDynamicNtk(Path temp) throws IOException {
        Path source = TestModels.goldenCase();
        Path dir = copyCase(source, temp.resolve("case_ntk_pre_1image_3tiles"));
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        TestModels.dynamicNtk((ObjectNode) config.get("embedding_config"), 16);
        TestModels.dynamicNtk((ObjectNode) config.get("llm_config"), 238);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        ObjectNode caseJson = (ObjectNode) JSON.readTree(source.resolve("case.json").toFile());
        caseJson.remove("grad_norms");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("case.json").toFile(), caseJson);
        try (SafetensorsFile original = SafetensorsFile.open(source.resolve("case.safetensors"))) {
            writeExpected(dir, original.longs("input_ids"), original.floats("pixel_values"),
                    original.longs("train_input_ids"), original.longs("train_labels"));
        }
        return dir;
    }

    /** README 3.2's fixture tokenization: special tokens by id, every other byte as 3 + its value, BOS first. */
    static long[] fixtureIds(String text, JsonNode specialIds) {
        List<Long> ids = new ArrayList<>(List.of(1L));
        int at = 0;
        next:
        while (at < text.length()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = specialIds.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> special = it.next();
                if (text.startsWith(special.getKey(), at)) {
                    ids.add(special.getValue().asLong());
                    at += special.getKey().length();
                    continue next;
                }
            }
            int codePoint = text.codePointAt(at);
            for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
                ids.add(3L + (b & 0xff));
            }
            at += Character.charCount(codePoint);
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static Path copyCase(Path source, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(source)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("case.")).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    /**
     * case.safetensors for the case in {@code dir}: its inputs, and the cache-free outputs of the model in that folder
     * (logits, 8 greedy steps recomputed from scratch, the training loss).
     */
    private static void writeExpected(Path dir, long[] ids, float[] pixels, long[] trainIds, long[] trainLabels)
            throws IOException {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        long[] positions = new long[ids.length];
        Arrays.setAll(positions, i -> i);
        entries.add(longs("input_ids", new long[] {1, ids.length}, ids));
        entries.add(longs("attention_mask", new long[] {1, ids.length}, ones));
        entries.add(longs("position_ids", new long[] {1, ids.length}, positions));
        entries.add(longs("train_input_ids", new long[] {1, trainIds.length}, trainIds));
        entries.add(longs("train_labels", new long[] {1, trainLabels.length}, trainLabels));
        try (HoVLEModel model = HoVLEModel.load(dir); NDManager scope = model.newScope()) {
            int size = model.config().imageSize();
            Shape pixelShape = new Shape(pixels.length / (3L * size * size), 3, size, size);
            entries.add(floats("pixel_values", pixelShape.getShape(), pixels));
            NDArray pixelArray = scope.create(pixels, pixelShape);
            MultimodalInput input = MultimodalInput.of(GoldenModelCase.ints(ids), pixelArray);
            int vocab = model.config().llm().vocabSize();
            long[] greedy = new long[GREEDY_STEPS];
            float[] lastLogits = new float[GREEDY_STEPS * vocab];
            for (int s = 0; s < GREEDY_STEPS; s++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray logits = model.forward(step, input, ForwardObserver.NONE);
                    if (s == 0) {
                        entries.add(floats("logits", logits.getShape().getShape(), logits.toFloatArray()));
                    }
                    NDArray last = logits.get(new NDIndex("0, -1"));
                    System.arraycopy(last.toFloatArray(), 0, lastLogits, s * vocab, vocab);
                    greedy[s] = last.argMax().getLong();
                }
                input = input.followedBy(new int[] {(int) greedy[s]});
            }
            entries.add(longs("greedy_tokens", new long[] {GREEDY_STEPS}, greedy));
            entries.add(floats("greedy_last_logits", new long[] {GREEDY_STEPS, vocab}, lastLogits));
            try (NDManager step = scope.newSubManager()) {
                NDArray logits = model.forward(step, MultimodalInput.of(GoldenModelCase.ints(trainIds), pixelArray),
                        ForwardObserver.NONE);
                float loss = Losses.nextTokenCrossEntropy(step, logits, GoldenModelCase.ints(trainLabels)).getFloat();
                entries.add(floats("train_loss", new long[] {1}, new float[] {loss}));
            }
        }
        SafetensorsWriter.write(dir.resolve("case.safetensors"), entries);
    }

    private static SafetensorsWriter.Entry longs(String name, long[] shape, long[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return new SafetensorsWriter.Entry(name, TensorDtype.I64, shape, channel -> channel.write(bytes.duplicate()));
    }

    private static SafetensorsWriter.Entry floats(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new SafetensorsWriter.Entry(name, TensorDtype.F32, shape, channel -> channel.write(bytes.duplicate()));
    }
}
