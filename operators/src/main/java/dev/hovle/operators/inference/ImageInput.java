package dev.hovle.operators.inference;

/**
 * One encoded image of a request, by value or by URI (any Flink file system), read in the preparation subtasks.
 *
 * @param label how messages name it: the image id, or {@code inline image N}
 * @param mediaType the declared media type
 * @param data the encoded file, or null when {@code uri} is set
 * @param uri where to read it, or null when {@code data} is set
 */
public record ImageInput(String label, String mediaType, byte[] data, String uri) {}
