package dev.hovle.model.config;

/** A HoVLE {@code config.json} is missing a required key or holds a value the model cannot use. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
