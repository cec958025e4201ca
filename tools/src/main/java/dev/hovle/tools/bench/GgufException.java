package dev.hovle.tools.bench;

import java.io.IOException;

/** A GGUF file this tool cannot use: not GGUF, truncated, corrupt, or holding weights it does not compare. */
public final class GgufException extends IOException {
    public GgufException(String message) {
        super(message);
    }
}
