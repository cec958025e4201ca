package dev.hovle.schemas.wire;

import dev.hovle.schemas.ErrorType;

/**
 * The header is valid but names a writer schema the codec does not know: a newer writer, a record of another type
 * on the wrong topic, or an older version nobody registered (dead-letter type {@link ErrorType#UNKNOWN_SCHEMA}).
 */
public final class UnknownSchemaException extends EventDecodingException {

    private static final long serialVersionUID = 1L;

    private final SchemaFingerprint fingerprint;

    UnknownSchemaException(SchemaFingerprint fingerprint, String detail) {
        super("unknown schema fingerprint " + fingerprint.toHex() + detail, null);
        this.fingerprint = fingerprint;
    }

    /** The fingerprint found in the message header. */
    public SchemaFingerprint fingerprint() {
        return fingerprint;
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.UNKNOWN_SCHEMA;
    }
}
