package dev.hovle.operators.images;

import dev.hovle.operators.access.UriPrefixes;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What a job accepts as an encoded image, whether it arrives inline or by URI.
 *
 * @param uriPrefixes the URI prefixes images may be read from; empty refuses every URI (the default: a record must
 *     not make a worker open files unless an operator said where)
 * @param maxBytes the largest encoded image, inline or read
 * @param readTimeout how long reading one image by URI may take
 * @param maxPerRequest the most images one request may name or carry
 */
public record ImageLimits(List<String> uriPrefixes, long maxBytes, Duration readTimeout, int maxPerRequest)
        implements Serializable {
    /** Sized for real photos: a 24-megapixel JPEG is about 12 MiB. */
    /** The option that lists the prefixes, named when a URI is refused. */
    public static final String URI_PREFIXES_OPTION = "hovle.images.uri-prefixes";
    public static final long DEFAULT_MAX_BYTES = 32L << 20;

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    /** More than InternVL-style prompts use, few enough that one request cannot flood the image join's state. */
    public static final int DEFAULT_MAX_PER_REQUEST = 16;

    /** No URIs, {@link #DEFAULT_MAX_BYTES}, {@link #DEFAULT_READ_TIMEOUT}, {@link #DEFAULT_MAX_PER_REQUEST}. */
    public static final ImageLimits DEFAULTS = new ImageLimits(List.of(), DEFAULT_MAX_BYTES, DEFAULT_READ_TIMEOUT,
            DEFAULT_MAX_PER_REQUEST);

    public ImageLimits {
        uriPrefixes = List.copyOf(uriPrefixes);
        if (maxBytes < 1 || readTimeout.isNegative() || readTimeout.isZero() || maxPerRequest < 1) {
            throw new IllegalArgumentException("image limits need a positive size, read timeout and count; found "
                    + maxBytes + " bytes, " + readTimeout + ", " + maxPerRequest + " per request");
        }
        uriPrefixes.forEach(p -> UriPrefixes.canonicalPrefix(p, URI_PREFIXES_OPTION));
    }

    /** Why {@code bytes} of inline image data are refused, or null when they fit. */
    public String inlineProblem(String label, long bytes) {
        return bytes > maxBytes ? label + " carries " + bytes + " bytes, more than the limit of " + maxBytes
                + " (hovle.images.max-bytes)" : null;
    }
}
