package dev.hovle.operators.serving;

import java.io.IOException;

/**
 * A checkpoint the model store will not hand out: a checksum mismatch, a missing or unlisted file, or a URI it
 * cannot read. The message names the file, or the URI when no single file is at fault.
 */
public final class CheckpointRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    CheckpointRefusedException(String message) {
        super(message);
    }

    CheckpointRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
