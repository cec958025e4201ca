package dev.hovle.operators.serving;

import java.util.Map;

/** A model version the job should serve, and where its weights come from. */
public sealed interface ServingTarget {

    /** The version name results will carry. */
    String version();

    /**
     * The snapshot the job was configured with ({@code hovle.model.dir}): the root of the lineage, loaded from its
     * directory as it is.
     */
    record Configured(String version, String dir) implements ServingTarget {}

    /** A checkpoint in the model store: fetched and verified against its checksums before it is loaded. */
    record Stored(String version, String uri, Map<String, String> checksums) implements ServingTarget {}
}
