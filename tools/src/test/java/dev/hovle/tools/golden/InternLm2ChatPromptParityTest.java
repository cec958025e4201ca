package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hovle.model.prompt.ChatTemplate;
import dev.hovle.model.prompt.Conversation;
import dev.hovle.model.prompt.LabelledSequence;
import dev.hovle.model.prompt.Prompt;
import dev.hovle.model.prompt.PromptBuilder;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.tokenizer.GoldenCases;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prompts, ids and labels of every golden model case, history included, as the official {@code chat()} produced
 * them.
 */
class InternLm2ChatPromptParityTest {

    static Stream<Path> cases() {
        return GoldenCases.modelCases().stream();
    }

    private static JsonNode config(Path caseDir) throws IOException {
        return new ObjectMapper().readTree(caseDir.resolve("config.json").toFile());
    }

    /** The case's chat() request: history, question and tiles per image. */
    private static Conversation conversation(JsonNode caseJson) {
        return GoldenConversation.of(caseJson).conversation();
    }

    /** The builder the model would configure: template from config.json, HD prompt in post mode only. */
    private static PromptBuilder builderFor(Path caseDir, int numImageToken, boolean hd) throws IOException {
        JsonNode config = config(caseDir);
        PromptBuilder.Builder builder = PromptBuilder.builder()
                .setTemplate(ChatTemplate.named(config.get("template").asText()))
                .setNumImageToken(numImageToken);
        if (hd) {
            builder.optHdDownsampleRatio(config.get("downsample_ratio").asDouble());
        }
        return builder.build();
    }

    private static boolean postMode(JsonNode caseJson) {
        return "post".equals(caseJson.get("mode").asText());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void buildsTheOfficialPromptAndHdPrompt(Path caseDir) throws IOException {
        JsonNode golden = GoldenCases.caseJson(caseDir);
        PromptBuilder prompts = builderFor(caseDir, golden.get("num_image_token").asInt(), postMode(golden));

        Prompt prompt = prompts.build(conversation(golden));

        assertThat(prompt.text()).isEqualTo(golden.get("prompt").asText());
        if (postMode(golden)) {
            assertThat(prompt.hdText()).isEqualTo(golden.get("hd_prompt").asText());
        } else {
            assertThat(golden.get("hd_prompt").isNull()).isTrue();
            assertThat(prompt.hasHd()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tokenizesThePromptToTheGoldenInputIds(Path caseDir) throws IOException {
        JsonNode golden = GoldenCases.caseJson(caseDir);
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(caseDir);
        Prompt prompt = builderFor(caseDir, golden.get("num_image_token").asInt(), postMode(golden))
                .build(conversation(golden));

        assertThat(tokenizer.encode(prompt.text())).isEqualTo(GoldenCases.int64Tensor(caseDir, "input_ids"));
        if (postMode(golden)) {
            assertThat(tokenizer.encode(prompt.hdText())).isEqualTo(GoldenCases.int64Tensor(caseDir, "hd_input_ids"));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void labelsTheAnswerAndItsEndOfTurnOnly(Path caseDir) throws IOException {
        JsonNode golden = GoldenCases.caseJson(caseDir);
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(caseDir);
        PromptBuilder prompts = builderFor(caseDir, golden.get("num_image_token").asInt(), postMode(golden));

        GoldenConversation chat = GoldenConversation.of(golden);
        LabelledSequence sequence = prompts.labelReply(chat.conversation(), chat.answer(), tokenizer);

        assertThat(sequence.inputIds()).isEqualTo(GoldenCases.int64Tensor(caseDir, "train_input_ids"));
        assertThat(sequence.labels()).isEqualTo(GoldenCases.int64Tensor(caseDir, "train_labels"));
        assertThat(sequence.targetCount()).isEqualTo(golden.get("train_num_target_tokens").asInt());
        if (postMode(golden)) {
            assertThat(sequence.hdInputIds()).isEqualTo(GoldenCases.int64Tensor(caseDir, "train_hd_input_ids"));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reproducesEveryTemplateExample(Path caseDir) throws IOException {
        JsonNode examples = GoldenCases.caseJson(caseDir).get("template_examples");
        PromptBuilder prompts = builderFor(caseDir, examples.get("num_image_token").asInt(), true);
        Conversation oneTurn = Conversation.of("What is shown in the picture?", 1);
        Conversation twoTurns = Conversation.of("What colour is it?", 1).withHistory(List.of(
                new Turn("<image>\nWhat is shown in the picture?", "A cat sitting on a sofa.")));
        Conversation textOnly = Conversation.of("Hello, who are you?");

        assertThat(prompts.build(oneTurn).text()).isEqualTo(examples.get("one_turn_1_tile").asText());
        assertThat(prompts.build(twoTurns).text()).isEqualTo(examples.get("two_turn_1_tile").asText());
        assertThat(prompts.build(textOnly).text()).isEqualTo(examples.get("text_only").asText());
        assertThat(prompts.build(oneTurn).hdText()).isEqualTo(examples.get("one_turn_1_tile_hd").asText());
        assertThat(prompts.build(twoTurns).hdText()).isEqualTo(examples.get("two_turn_1_tile_hd").asText());
        assertThat(prompts.build(textOnly).hdText()).isEqualTo(examples.get("text_only").asText());
    }
}
