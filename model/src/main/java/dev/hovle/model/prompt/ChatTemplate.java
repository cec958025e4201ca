package dev.hovle.model.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A conversation template of the official {@code conversation.py}, selected by the {@code template} key of a HoVLE
 * {@code config.json}. Only the MPT separator style is implemented, the style of {@code internlm2-chat}: the system
 * prompt, then each message as {@code role + message + separator}, and the open assistant turn as its role alone.
 * There is no newline after the separator.
 *
 * @param name the registry name, e.g. {@code internlm2-chat}
 * @param systemTemplate the system prompt with a {@code {system_message}} slot
 * @param defaultSystemMessage the system message the official model uses
 * @param userRole the header of a user message
 * @param assistantRole the header of an assistant message
 * @param separator the end-of-message string; {@code chat()} also stops generation on its token
 */
public record ChatTemplate(
        String name,
        String systemTemplate,
        String defaultSystemMessage,
        String userRole,
        String assistantRole,
        String separator) {

    private static final String SYSTEM_SLOT = "{system_message}";

    /** {@code internlm2-chat}: InternLM2's ChatML-like format with InternVL's Chinese system message. */
    public static final ChatTemplate INTERNLM2_CHAT = new ChatTemplate(
            "internlm2-chat",
            "<|im_start|>system\n" + SYSTEM_SLOT,
            "你是由上海人工智能实验室联合商汤科技开发的书生多模态大模型，英文名叫InternVL, 是一个有用无害的人工智能助手。",
            "<|im_start|>user\n",
            "<|im_start|>assistant\n",
            "<|im_end|>");

    private static final Map<String, ChatTemplate> REGISTRY = Map.of(INTERNLM2_CHAT.name(), INTERNLM2_CHAT);

    public ChatTemplate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(systemTemplate, "systemTemplate");
        Objects.requireNonNull(defaultSystemMessage, "defaultSystemMessage");
        Objects.requireNonNull(userRole, "userRole");
        Objects.requireNonNull(assistantRole, "assistantRole");
        Objects.requireNonNull(separator, "separator");
    }

    /**
     * The template registered under {@code name}.
     *
     * @throws IllegalArgumentException naming the template and the known ones
     */
    public static ChatTemplate named(String name) {
        ChatTemplate template = REGISTRY.get(name);
        if (template == null) {
            throw new IllegalArgumentException("unknown chat template '" + name + "' (config.json \"template\"); "
                    + "known templates: " + names());
        }
        return template;
    }

    /** The registered template names. */
    public static Set<String> names() {
        return new TreeSet<>(REGISTRY.keySet());
    }

    /** The system prompt for {@code systemMessage} (the official {@code system_template.format(...)}). */
    public String systemPrompt(String systemMessage) {
        return systemTemplate.replace(SYSTEM_SLOT, systemMessage);
    }

    /**
     * Renders a conversation as spans: finished {@code turns}, then, when {@code openQuestion} is not null, that
     * question and the open assistant header. Like the official code, an empty message renders as its role alone.
     */
    List<Span> spans(String systemMessage, List<Turn> turns, String openQuestion) {
        List<Span> spans = new ArrayList<>();
        spans.add(Span.prompt(systemPrompt(systemMessage) + separator));
        for (Turn turn : turns) {
            spans.add(Span.prompt(message(userRole, turn.question())));
            spans.add(Span.prompt(assistantRole));
            if (!turn.answer().isEmpty()) {
                spans.add(Span.target(turn.answer()));
                spans.add(Span.target(separator));
            }
        }
        if (openQuestion != null) {
            spans.add(Span.prompt(message(userRole, openQuestion)));
            spans.add(Span.prompt(assistantRole));
        }
        return spans;
    }

    private String message(String role, String message) {
        return message.isEmpty() ? role : role + message + separator;
    }
}
