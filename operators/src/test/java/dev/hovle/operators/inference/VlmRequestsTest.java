package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.GenerationParams;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class VlmRequestsTest {

    @Test
    void listsSeveralImagesBeforeAQuestionThatPlacesNone() {
        VlmRequest r = TestEvents.qa("r", "Which is bigger?", "a", "b");

        assertThat(VlmRequests.question(r, "caption", 2)).isEqualTo("Image-1: <image>\nImage-2: <image>\nWhich is bigger?");
    }

    @Test
    void leavesASingleImageOfAFirstQuestionToTheTemplate() {
        assertThat(VlmRequests.question(TestEvents.qa("r", "What?", "a"), "caption", 1)).isEqualTo("What?");
    }

    @Test
    void asksTheCaptionPromptForACaptionWithoutPrompt() {
        assertThat(VlmRequests.question(TestEvents.inlineCaption("r", new byte[] {1}), "Describe it.", 1))
                .isEqualTo("Describe it.");
    }

    @Test
    void refusesPlaceholdersThatDoNotMatchTheImages() {
        VlmRequest r = TestEvents.qa("r", "<image> and <image>?", "a");

        assertThat(VlmRequests.problem(r, 16)).contains("2 <image> placeholders for 1 images");
    }

    @Test
    void refusesAHistoryThatDoesNotAlternate() {
        VlmRequest chat = VlmRequest.newBuilder(TestEvents.qa("r", "And now?")).setTask(Task.CHAT)
                .setHistory(List.of(new ChatTurn(ChatRole.ASSISTANT, "Hi"), new ChatTurn(ChatRole.USER, "Hello")))
                .build();

        assertThat(VlmRequests.problem(chat, 16)).contains("history turn 0 is ASSISTANT");
    }

    @Test
    void refusesSamplingSettingsOutOfRange() {
        VlmRequest r = VlmRequest.newBuilder(TestEvents.qa("r", "What?"))
                .setGeneration(GenerationParams.newBuilder().setTopP(0f).build()).build();

        assertThat(VlmRequests.problem(r, 16)).contains("topP must be in (0, 1]");
    }

    @Test
    void refusesMoreImagesThanTheLimit() {
        VlmRequest r = TestEvents.qa("r", "Which is red?", "a", "b", "c");

        assertThat(VlmRequests.problem(r, 2)).contains("has 3 images").contains("at most 2");
        assertThat(VlmRequests.problem(r, 3)).isNull();
    }

    @Test
    void derivesTheSameSeedFromTheSameRequestId() {
        assertThat(VlmRequests.seedOf("req-1")).isEqualTo(VlmRequests.seedOf("req-1"))
                .isNotEqualTo(VlmRequests.seedOf("req-2"));
    }
}
