package dev.hovle.schemas.wire;

import dev.hovle.schemas.ErrorType;

/**
 * The bytes are not a single-object encoded datum of a known schema: no marker, too short, truncated, trailing
 * bytes, or a datum that does not parse or resolve (dead-letter type {@link ErrorType#UNDECODABLE_RECORD}).
 */
public final class UndecodableRecordException extends EventDecodingException {

    private static final long serialVersionUID = 1L;

    UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.UNDECODABLE_RECORD;
    }
}
