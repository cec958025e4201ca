package dev.hovle.model.generate;

/** The prompt plus the tokens to generate do not fit the model's context. */
public final class PromptTooLongException extends GenerationException {
    private static final long serialVersionUID = 1L;

    public PromptTooLongException(String message) {
        super(message);
    }
}
