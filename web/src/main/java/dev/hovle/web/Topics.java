package dev.hovle.web;

import dev.hovle.schemas.Topic;
import java.util.Objects;

/** The topics the page reads, by name; {@link #DEFAULTS} are the names the jobs use by default. */
public record Topics(String images, String requests, String results, String modelUpdates, String deadLetters) {
    public static final Topics DEFAULTS = new Topics(Topic.IMAGES.defaultName(), Topic.REQUESTS.defaultName(),
            Topic.RESULTS.defaultName(), Topic.MODEL_UPDATES.defaultName(), Topic.DEAD_LETTERS.defaultName());

    public Topics {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(results, "results");
        Objects.requireNonNull(modelUpdates, "modelUpdates");
        Objects.requireNonNull(deadLetters, "deadLetters");
    }
}
