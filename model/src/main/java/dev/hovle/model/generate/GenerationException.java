package dev.hovle.model.generate;

/** A request the engine refused or failed to run; the message names the request and what was wrong. */
public class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
