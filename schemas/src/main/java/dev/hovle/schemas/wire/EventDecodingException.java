package dev.hovle.schemas.wire;

import dev.hovle.schemas.ErrorType;

/**
 * Why a Kafka value could not become an event; each subtype maps to the dead-letter {@link ErrorType} the jobs
 * record it under, so a caller can write one {@code catch} and still keep the reasons apart.
 */
public abstract sealed class EventDecodingException extends Exception
        permits UndecodableRecordException, UnknownSchemaException {

    private static final long serialVersionUID = 1L;

    EventDecodingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The dead-letter error type for this failure. */
    public abstract ErrorType errorType();
}
