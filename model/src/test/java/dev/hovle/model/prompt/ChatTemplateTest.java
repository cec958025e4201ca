package dev.hovle.model.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    @Test
    void findsInternLm2ChatByItsConfigName() {
        ChatTemplate template = ChatTemplate.named("internlm2-chat");

        assertThat(template).isSameAs(ChatTemplate.INTERNLM2_CHAT);
        assertThat(template.separator()).isEqualTo("<|im_end|>");
        assertThat(template.systemPrompt("be brief")).isEqualTo("<|im_start|>system\nbe brief");
        assertThat(ChatTemplate.names()).containsExactly("internlm2-chat");
    }

    @Test
    void rejectsUnknownTemplateNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> ChatTemplate.named("vicuna_v1.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'vicuna_v1.1'")
                .hasMessageContaining("internlm2-chat");
    }
}
