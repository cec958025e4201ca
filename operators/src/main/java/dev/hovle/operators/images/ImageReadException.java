package dev.hovle.operators.images;

/** An image that was not read, and why. Messages name the URI and the limit, never bytes of the file. */
public final class ImageReadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an image was not read. */
    public enum Reason {
        /** Outside the allowed prefixes, malformed, or not a regular file: never opened. */
        REFUSED,
        /** Larger than the configured maximum. */
        TOO_LARGE,
        /** Missing, unreadable, or slower than the read timeout. */
        UNREADABLE
    }

    private final Reason reason;

    public ImageReadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
