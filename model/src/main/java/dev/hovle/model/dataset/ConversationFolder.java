package dev.hovle.model.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.prompt.Turn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A folder of images and conversations in the LLaVA / InternVL fine-tuning format, one JSON object per line:
 *
 * <pre>
 * {"id": "0001", "image": "cat.png", "conversations": [
 *     {"from": "human", "value": "&lt;image&gt;\nWhat animal is this?"},
 *     {"from": "gpt", "value": "A cat."}]}
 * </pre>
 *
 * <p>{@code train.jsonl} is required, {@code eval.jsonl} optional. {@code image} is a path relative to the folder,
 * a list of them (several images, in the order of their {@code <image>} placeholders), or absent (text only).
 * Turns alternate {@code human} (or {@code user}) and {@code gpt} (or {@code assistant}), starting with a question;
 * a question without {@code <image>} gets it prepended to the first question, as the official template does.
 * Without {@code eval.jsonl}, every 20th line is held out for evaluation and training lines sharing an image with a
 * held-out one are dropped, so the two splits never share an image.
 */
public final class ConversationFolder {
    public static final String TRAIN_FILE = "train.jsonl";
    public static final String EVAL_FILE = "eval.jsonl";
    private static final int HOLD_OUT_EVERY = 20;

    private final ConversationDataset train;
    private final ConversationDataset eval;

    private ConversationFolder(ConversationDataset train, ConversationDataset eval) {
        this.train = train;
        this.eval = eval;
    }

    /** Reads and checks every line (and that every image file exists); the images are read when used. */
    public static ConversationFolder open(Path dir) throws IOException {
        List<Entry> train = read(dir, dir.resolve(TRAIN_FILE));
        List<Entry> eval;
        if (Files.exists(dir.resolve(EVAL_FILE))) {
            eval = read(dir, dir.resolve(EVAL_FILE));
        } else {
            eval = new ArrayList<>();
            List<Entry> kept = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                (i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1 ? eval : kept).add(train.get(i));
            }
            Set<Path> held = new HashSet<>();
            eval.forEach(e -> held.addAll(e.images));
            train = kept.stream().filter(e -> e.images.stream().noneMatch(held::contains)).toList();
        }
        if (train.isEmpty()) {
            throw new IOException(dir.resolve(TRAIN_FILE) + " leaves no training conversation");
        }
        return new ConversationFolder(new Listed(train), eval.isEmpty() ? null : new Listed(eval));
    }

    /** The training conversations. */
    public ConversationDataset train() {
        return train;
    }

    /** The held-out conversations, or null when there are none. */
    public ConversationDataset eval() {
        return eval;
    }

    private record Entry(String id, List<Path> images, List<Turn> turns) {}

    private static List<Entry> read(Path dir, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Entry> entries = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String where = file.getFileName() + " line " + lineNumber;
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                throw new IOException(where + ": not JSON: " + e.getMessage(), e);
            }
            entries.add(new Entry(node.path("id").asText(where), images(dir, node.path("image"), where),
                    turns(node.path("conversations"), where)));
        }
        return entries;
    }

    private static List<Path> images(Path dir, JsonNode image, String where) throws IOException {
        List<Path> paths = new ArrayList<>();
        if (image.isMissingNode() || image.isNull()) {
            return paths;
        }
        for (JsonNode name : image.isArray() ? image : List.of(image)) {
            Path path = dir.resolve(name.asText()).normalize();
            if (!Files.isRegularFile(path)) {
                throw new IOException(where + ": image " + name.asText() + " not found in " + dir);
            }
            paths.add(path);
        }
        return paths;
    }

    private static List<Turn> turns(JsonNode conversations, String where) throws IOException {
        if (!conversations.isArray() || conversations.isEmpty() || conversations.size() % 2 != 0) {
            throw new IOException(where + ": \"conversations\" must be a non-empty list of question/answer pairs");
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < conversations.size(); i += 2) {
            String from = conversations.get(i).path("from").asText();
            String to = conversations.get(i + 1).path("from").asText();
            if (!(from.equals("human") || from.equals("user")) || !(to.equals("gpt") || to.equals("assistant"))) {
                throw new IOException(where + ": turn " + i / 2 + " goes from '" + from + "' to '" + to
                        + "'; expected human (or user) then gpt (or assistant)");
            }
            turns.add(new Turn(conversations.get(i).path("value").asText(),
                    conversations.get(i + 1).path("value").asText()));
        }
        return turns;
    }

    /** Conversations held in memory; images are read from disk on each use. */
    private record Listed(List<Entry> entries) implements ConversationDataset {
        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public Sample get(int index) {
            Entry e = entries.get(index);
            List<byte[]> bytes = new ArrayList<>();
            for (Path p : e.images) {
                try {
                    bytes.add(Files.readAllBytes(p));
                } catch (IOException ex) {
                    throw new UncheckedIOException("reading image " + p, ex);
                }
            }
            return new Sample(e.id, bytes, e.turns);
        }
    }
}
