/**
 * Chat prompts: the conversation templates selected by {@code config.json}'s {@code template} (see
 * {@link dev.hovle.model.prompt.ChatTemplate}), and the {@link dev.hovle.model.prompt.PromptBuilder} that reproduces
 * the official {@code chat()} prompt strings and builds labelled training sequences.
 */
package dev.hovle.model.prompt;
