package dev.hovle.operators.access;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which URIs named by untrusted records a job may open: those under one of the configured prefixes, compared in a
 * canonical form ({@code scheme://authority/path}, scheme in lower case, the path decoded and free of {@code .} and
 * {@code ..} segments), so {@code file:/data/images/../../etc/passwd} or {@code FILE:///data/images/%2e%2e/x} cannot
 * leave the directory the prefix names. A prefix matches at a path-segment boundary: {@code file:///data/images}
 * allows {@code file:///data/images/a.png} but not {@code file:///data/images-private/a.png}. No prefix allows
 * nothing.
 */
public final class UriPrefixes implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> prefixes;
    private final String option;

    /**
     * The URIs under {@code prefixes}, which come from the configuration option {@code option} (named in refusals).
     *
     * @throws IllegalArgumentException naming the option and the entry when a prefix is malformed
     */
    public UriPrefixes(List<String> prefixes, String option) {
        this.option = option;
        this.prefixes = prefixes.stream().map(p -> canonicalPrefix(p, option)).toList();
    }

    /** The configured prefixes, canonical. */
    public List<String> prefixes() {
        return prefixes;
    }

    /**
     * The canonical form of {@code uri} when it may be opened.
     *
     * @param what what the URI names, for the message ("image URI", "checkpoint URI")
     * @throws UriRefusedException when it is malformed, relative, walks up a directory, or is outside every prefix
     */
    public String check(String uri, String what) throws UriRefusedException {
        String canonical;
        try {
            canonical = canonical(uri);
        } catch (IllegalArgumentException e) {
            throw new UriRefusedException(what + " " + uri + " is refused: " + e.getMessage());
        }
        if (!allows(canonical)) {
            throw new UriRefusedException(what + " " + uri + " is outside the allowed prefixes " + (prefixes.isEmpty()
                    ? "(none are configured: set " + option + ")" : prefixes + " (" + option + ")"));
        }
        return canonical;
    }

    /** Whether the canonical URI lies under an allowed prefix. */
    public boolean allows(String canonical) {
        for (String prefix : prefixes) {
            if (canonical.startsWith(prefix) && (prefix.endsWith("/") || canonical.length() == prefix.length()
                    || canonical.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /** A configured prefix in canonical form; a malformed one is a configuration error naming {@code option}. */
    public static String canonicalPrefix(String prefix, String option) {
        try {
            return canonical(prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " entry " + prefix + " is not usable: " + e.getMessage(), e);
        }
    }

    /** {@code scheme://authority/path} with the path decoded; refuses what could escape a prefix. */
    public static String canonical(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URI (" + e.getReason() + ")");
        }
        if (parsed.getScheme() == null || parsed.isOpaque() || parsed.getPath() == null
                || !parsed.getPath().startsWith("/")) {
            throw new IllegalArgumentException("the URI must be absolute, like file:///data/a.jpg");
        }
        if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
            throw new IllegalArgumentException("the URI names a file: no query or fragment");
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
