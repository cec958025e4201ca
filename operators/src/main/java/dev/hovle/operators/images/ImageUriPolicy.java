package dev.hovle.operators.images;

import dev.hovle.operators.images.ImageReadException.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which image URIs a job may open: those under one of the configured prefixes, compared in a canonical form
 * ({@code scheme://authority/path}, scheme in lower case, the path decoded and free of {@code .} and {@code ..}
 * segments), so {@code file:/data/images/../../etc/passwd} or {@code FILE:///data/images/%2e%2e/x} cannot leave the
 * directory the prefix names. A prefix matches at a path-segment boundary: {@code file:///data/images} allows
 * {@code file:///data/images/a.png} but not {@code file:///data/images-private/a.png}.
 */
public final class ImageUriPolicy {
    private final List<String> prefixes;

    /** A policy allowing the URIs under {@code prefixes}; none allows nothing. */
    public ImageUriPolicy(List<String> prefixes) {
        this.prefixes = prefixes.stream().map(ImageUriPolicy::canonicalPrefix).toList();
    }

    /**
     * The canonical form of {@code uri} when it may be read.
     *
     * @throws ImageReadException REFUSED when it is malformed, relative, walks up a directory, or is outside every
     *     prefix
     */
    public String check(String uri) throws ImageReadException {
        String canonical;
        try {
            canonical = canonical(uri);
        } catch (IllegalArgumentException e) {
            throw new ImageReadException(Reason.REFUSED, "image URI " + uri + " is refused: " + e.getMessage());
        }
        if (!allows(canonical)) {
            throw new ImageReadException(Reason.REFUSED, "image URI " + uri + " is outside the allowed prefixes "
                    + (prefixes.isEmpty() ? "(none are configured: set hovle.images.uri-prefixes to read images by URI)"
                    : prefixes + " (hovle.images.uri-prefixes)"));
        }
        return canonical;
    }

    /** Whether the canonical URI lies under an allowed prefix. */
    boolean allows(String canonical) {
        for (String prefix : prefixes) {
            if (canonical.startsWith(prefix) && (prefix.endsWith("/") || canonical.length() == prefix.length()
                    || canonical.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /** A configured prefix in canonical form; a malformed one is a configuration error. */
    static String canonicalPrefix(String prefix) {
        try {
            return canonical(prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hovle.images.uri-prefixes entry " + prefix + " is not usable: "
                    + e.getMessage(), e);
        }
    }

    /** {@code scheme://authority/path} with the path decoded; refuses what could escape a prefix. */
    static String canonical(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URI (" + e.getReason() + ")");
        }
        if (parsed.getScheme() == null || parsed.isOpaque() || parsed.getPath() == null
                || !parsed.getPath().startsWith("/")) {
            throw new IllegalArgumentException("an image URI must be absolute, like file:///images/a.jpg");
        }
        if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
            throw new IllegalArgumentException("an image URI names a file: no query or fragment");
        }
        String path = parsed.getPath();
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("the path may not contain . or .. segments");
            }
        }
        if (path.indexOf('\0') >= 0 || path.contains("//")) {
            throw new IllegalArgumentException("the path has an empty segment or a NUL character");
        }
        String authority = parsed.getAuthority() == null ? "" : parsed.getAuthority();
        return parsed.getScheme().toLowerCase(Locale.ROOT) + "://" + authority + path;
    }
}
