package dev.hovle.sql.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a row the model cannot serve gives ({@link HovleModelOptions#ON_ERROR}). */
enum OnError {
    /** A row with a NULL answer and the reason in the {@code error} and {@code error_type} columns. */
    ERROR_ROW("error-row"),
    /** The job fails with the reason. */
    FAIL("fail");

    private final String key;

    OnError(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    static OnError parse(String value) {
        return Arrays.stream(values()).filter(v -> v.key.equalsIgnoreCase(value.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + HovleModelOptions.ON_ERROR.key() + "' must be "
                        + Arrays.stream(values()).map(v -> "'" + v.key + "'").collect(Collectors.joining(" or "))
                        + ", found '" + value + "'"));
    }
}
