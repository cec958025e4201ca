package dev.hovle.tools.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.prompt.Conversation;
import dev.hovle.model.prompt.LabelledSequence;
import dev.hovle.model.prompt.Prompt;
import dev.hovle.model.prompt.PromptBuilder;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text half of a golden model case, end to end from the chat request (history, question, tiles): the official
 * prompt strings (case and template examples), their fixture tokenization, and the labelled training sequence.
 */
final class GoldenTextChecks {
    private GoldenTextChecks() {}

    static List<GoldenRow> verify(Path dir, JsonNode caseJson, SafetensorsFile expected) throws IOException {
        String name = dir.getFileName().toString();
        List<GoldenRow> rows = new ArrayList<>();
        HoVLEConfig config = HoVLEConfig.read(dir);
        PromptBuilder builder = PromptBuilder.forModel(config);
        GoldenConversation chat = GoldenConversation.of(caseJson);
        try (HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(dir)) {
            Prompt prompt = builder.build(chat.conversation());
            rows.add(GoldenRow.exact(name, "prompt (template)", prompt.text().equals(caseJson.path("prompt").asText()) ? 0 : 1));
            rows.add(GoldenRow.exact(name, "input_ids (from prompt)",
                    Deviation.mismatches(longs(tokenizer.encode(prompt.text())), expected.longs("input_ids"))));
            if (expected.tensors().containsKey("hd_input_ids")) {
                rows.add(GoldenRow.exact(name, "hd_prompt (template)",
                        prompt.hasHd() && prompt.hdText().equals(caseJson.path("hd_prompt").asText()) ? 0 : 1));
                rows.add(GoldenRow.exact(name, "hd_input_ids (from hd_prompt)", prompt.hasHd()
                        ? Deviation.mismatches(longs(tokenizer.encode(prompt.hdText())), expected.longs("hd_input_ids"))
                        : 1));
            }
            if (expected.tensors().containsKey("train_input_ids")) {
                LabelledSequence labelled = builder.labelReply(chat.conversation(), chat.answer(), tokenizer);
                rows.add(GoldenRow.exact(name, "train_input_ids (from answer)",
                        Deviation.mismatches(longs(labelled.inputIds()), expected.longs("train_input_ids"))));
                rows.add(GoldenRow.exact(name, "train_labels",
                        Deviation.mismatches(longs(labelled.labels()), expected.longs("train_labels"))));
                if (expected.tensors().containsKey("train_hd_input_ids")) {
                    long[] want = expected.longs("train_hd_input_ids");
                    rows.add(GoldenRow.exact(name, "train_hd_input_ids (from answer)", labelled.hdInputIds() == null
                            ? 1 : Deviation.mismatches(longs(labelled.hdInputIds()), want)));
                }
            }
        }
        // The examples carry HD variants in either placement: build them with the HD prompt switched on.
        PromptBuilder withHd = PromptBuilder.builder().setTemplate(builder.template())
                .setNumImageToken(config.tokensPerTile()).optHdDownsampleRatio(config.embedding().downsampleRatio()).build();
        rows.addAll(templateExamples(name, withHd, caseJson.path("template_examples")));
        return rows;
    }

    /** The further prompts of {@code template_examples}: one turn, two turns with history, text only, HD variants. */
    private static List<GoldenRow> templateExamples(String name, PromptBuilder builder, JsonNode examples) {
        List<GoldenRow> rows = new ArrayList<>();
        if (examples.isMissingNode()) {
            return rows;
        }
        Prompt oneTurn = builder.build(new Conversation(List.of(), "What is shown in the picture?", List.of(1)));
        Prompt twoTurn = builder.build(new Conversation(
                List.of(new Turn("<image>\nWhat is shown in the picture?", "A cat sitting on a sofa.")),
                "What colour is it?", List.of(1)));
        Prompt textOnly = builder.build(new Conversation(List.of(), "Hello, who are you?", List.of()));
        check(rows, name, examples, "one_turn_1_tile", oneTurn.text());
        check(rows, name, examples, "two_turn_1_tile", twoTurn.text());
        check(rows, name, examples, "text_only", textOnly.text());
        if (oneTurn.hasHd()) {
            check(rows, name, examples, "one_turn_1_tile_hd", oneTurn.hdText());
            check(rows, name, examples, "two_turn_1_tile_hd", twoTurn.hdText());
        }
        return rows;
    }

    private static void check(List<GoldenRow> rows, String name, JsonNode examples, String key, String actual) {
        if (examples.has(key)) {
            rows.add(GoldenRow.exact(name, "template_examples." + key, examples.get(key).asText().equals(actual) ? 0 : 1));
        }
    }

    private static long[] longs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
