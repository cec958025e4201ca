package dev.hovle.operators.access;

import java.io.IOException;

/** A URI from a record that the job will not open; the message names the URI and the option that decides. */
public final class UriRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    public UriRefusedException(String message) {
        super(message);
    }
}
