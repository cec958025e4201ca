package dev.hovle.model.weights;

/** A checkpoint is unreadable or does not fit the model: names the tensor and, for shapes, both shapes. */
public final class WeightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeightException(String message) {
        super(message);
    }

    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
