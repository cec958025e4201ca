package dev.hovle.model.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.tokenizer.GoldenCases;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptBuilderTest {

    private static final String SYSTEM = "<|im_start|>system\n" + ChatTemplate.INTERNLM2_CHAT.defaultSystemMessage()
            + "<|im_end|>";

    private final PromptBuilder prompts = PromptBuilder.builder()
            .setTemplate(ChatTemplate.named("internlm2-chat"))
            .setNumImageToken(2)
            .optHdDownsampleRatio(0.5)
            .build();

    private static String image(int contextTokens) {
        return "<img>" + "<IMG_CONTEXT>".repeat(contextTokens) + "</img>";
    }

    @Test
    void expandsSeveralImagesInOrderWithTheirOwnTileCounts() {
        Prompt prompt = prompts.build(Conversation.of("Image-1: <image>\nImage-2: <image>\nCompare them.", 3, 1));

        assertThat(prompt.text()).isEqualTo(SYSTEM + "<|im_start|>user\nImage-1: " + image(6) + "\nImage-2: "
                + image(2) + "\nCompare them.<|im_end|><|im_start|>assistant\n");
        assertThat(prompt.hdText()).contains("Image-1: " + image(24) + "\nImage-2: " + image(8));
    }

    @Test
    void prependsImagePlaceholderOnlyToAFirstQuestionWithoutOne() {
        assertThat(prompts.build(Conversation.of("What is it?", 1)).text())
                .contains("<|im_start|>user\n" + image(2) + "\nWhat is it?<|im_end|>");
        assertThat(prompts.build(Conversation.of("Look: <image> what is it?", 1)).text())
                .contains("<|im_start|>user\nLook: " + image(2) + " what is it?<|im_end|>");
        assertThat(prompts.build(Conversation.of("What is it?")).text())
                .contains("<|im_start|>user\nWhat is it?<|im_end|>");
    }

    @Test
    void leavesPlaceholdersBeyondTheImagesAsText() {
        assertThat(prompts.build(Conversation.of("Write <image> literally.")).text())
                .contains("<|im_start|>user\nWrite <image> literally.<|im_end|>");
    }

    @Test
    void rejectsMoreImagesThanPlaceholders() {
        Conversation conversation = Conversation.of("And this one?", 1)
                .withHistory(List.of(new Turn("Hi", "Hello!")));

        assertThatThrownBy(() -> prompts.build(conversation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 <image> placeholder(s) for 1 images");
    }

    @Test
    void usesACustomSystemMessage() {
        PromptBuilder custom = PromptBuilder.builder()
                .setTemplate(ChatTemplate.INTERNLM2_CHAT)
                .setNumImageToken(256)
                .optSystemMessage("You are a helpful assistant.")
                .build();

        assertThat(custom.build(Conversation.of("Hi")).text()).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|><|im_start|>user\nHi<|im_end|>"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void labelsEveryAnswerOfAMultiTurnConversation() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));
        List<Turn> turns = List.of(new Turn("What is it?", "A cat."), new Turn("What colour?", "Grey."));

        LabelledSequence sequence = prompts.label(turns, List.of(1), tokenizer);

        int imEnd = tokenizer.tokenId("<|im_end|>");
        String full = SYSTEM + "<|im_start|>user\n" + image(2) + "\nWhat is it?<|im_end|><|im_start|>assistant\n"
                + "A cat.<|im_end|><|im_start|>user\nWhat colour?<|im_end|><|im_start|>assistant\nGrey.<|im_end|>";
        assertThat(sequence.inputIds()).isEqualTo(tokenizer.encode(full));
        int[] targets = Arrays.stream(sequence.labels()).filter(l -> l != LabelledSequence.IGNORE_INDEX).toArray();
        int[] expected = concat(tokenizer.encode("A cat.", false), new int[] {imEnd},
                tokenizer.encode("Grey.", false), new int[] {imEnd});
        assertThat(targets).isEqualTo(expected);
        assertThat(sequence.labels()[sequence.labels().length - 1]).isEqualTo(imEnd);
        assertThat(sequence.hdInputIds()).hasSize(sequence.inputIds().length + 6);
    }

    @Test
    void labelsOnlyTheReplyWhenTheRequestCarriesHistory() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));
        Conversation followUp = Conversation.of("What colour?", 1)
                .withHistory(List.of(new Turn("<image>\nWhat is it?", "A cat.")));

        LabelledSequence sequence = prompts.labelReply(followUp, "Grey.", tokenizer);

        int[] prompt = tokenizer.encode(prompts.build(followUp).text());
        int[] reply = concat(tokenizer.encode("Grey.", false), new int[] {tokenizer.tokenId("<|im_end|>")});
        assertThat(sequence.inputIds()).isEqualTo(concat(prompt, reply));
        int[] targets = Arrays.stream(sequence.labels()).filter(l -> l != LabelledSequence.IGNORE_INDEX).toArray();
        assertThat(targets).isEqualTo(reply);
        assertThat(sequence.hdInputIds()).isEqualTo(concat(tokenizer.encode(prompts.build(followUp).hdText()), reply));
    }

    @Test
    void labelsWithSentencePieceTokenizingAnswersSeparately(@TempDir Path dir) throws IOException {
        TokenizerFiles.write(dir, 1024);
        try (HoVLETokenizer tokenizer = HoVLETokenizer.load(dir)) {
            List<Turn> turns = List.of(new Turn("How many circles?", "There are 3 circles."));

            LabelledSequence sequence = prompts.label(turns, List.of(), tokenizer);

            int[] prompt = tokenizer.encode(prompts.build(Conversation.of("How many circles?")).text());
            int[] expected = concat(prompt, tokenizer.encode("There are 3 circles.", false),
                    new int[] {tokenizer.tokenId("<|im_end|>")});
            assertThat(sequence.inputIds()).isEqualTo(expected);
            assertThat(sequence.targetCount()).isEqualTo(expected.length - prompt.length);
            assertThat(sequence.hdInputIds()).isEqualTo(sequence.inputIds());
        }
    }

    @Test
    void rejectsEmptyAnswersInTraining() throws IOException {
        HoVLETokenizer tokenizer = HoVLETokenizer.forGoldenCase(GoldenCases.modelCases().get(0));

        assertThatThrownBy(() -> prompts.label(List.of(new Turn("Hi", "")), List.of(), tokenizer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty answer");
    }

    @Test
    void refusesToBuildWithoutTemplateOrImageTokenCount() {
        assertThatThrownBy(() -> PromptBuilder.builder().setNumImageToken(256).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setTemplate");
        assertThatThrownBy(() -> PromptBuilder.builder().setTemplate(ChatTemplate.INTERNLM2_CHAT).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setNumImageToken");
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
