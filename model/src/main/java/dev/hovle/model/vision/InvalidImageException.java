package dev.hovle.model.vision;

import java.util.Objects;

/**
 * Thrown when encoded image bytes cannot be turned into pixels; the {@link Reason} tells callers (the streaming
 * job's dead-letter routing) what kind of input it was.
 */
public final class InvalidImageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an image was refused. */
    public enum Reason {
        /** The format was recognised but the data is damaged or truncated. */
        CORRUPT,
        /** Not PNG, JPEG or WebP, or a variant of them that the official Pillow path cannot read either. */
        UNSUPPORTED_FORMAT,
        /** The header announces more pixels than the configured limit (checked before decoding). */
        TOO_LARGE
    }

    private final Reason reason;

    public InvalidImageException(Reason reason, String message) {
        this(reason, message, null);
    }

    public InvalidImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Returns why the image was refused. */
    public Reason reason() {
        return reason;
    }
}
