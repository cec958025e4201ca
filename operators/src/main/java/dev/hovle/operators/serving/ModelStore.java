package dev.hovle.operators.serving;

import dev.hovle.operators.access.UriPrefixes;
import dev.hovle.operators.access.UriRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Checkpoints of a model line in any Flink {@link FileSystem}: a local directory by default, S3 or HDFS through
 * Flink's file-system plugins. {@link #publish} copies a local checkpoint to {@code <store>/<version>/} and returns
 * where it went with the SHA-256 of every file, which travel in the {@code ModelUpdate}; {@link #fetch} copies a
 * checkpoint back to a local directory and refuses it unless its files are exactly the ones listed, byte for byte.
 *
 * <pre>{@code
 * ModelStore store = ModelStore.at("s3://models/hovle");                 // or "/var/hovle/models"
 * ModelStore.Published published = store.publish(Path.of("/tmp/ckpt-1200"), "step-1200");
 * ModelUpdate update = ModelUpdate.newBuilder()...setUri(published.uri()).setChecksums(published.checksums())...;
 * Path local = ModelStore.fetch(update.getUri(), update.getChecksums(), Path.of("/tmp/hovle-cache/step-1200"),
 *         store.fetchLimits(32L << 30));
 * }</pre>
 *
 * <p>Exercised in {@code ModelStoreTest}.
 */
public final class ModelStore {
    /** Version names become one path segment on every file system: no separators, no scheme colons. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 1 << 16;

    private final org.apache.flink.core.fs.Path root;

    private ModelStore(org.apache.flink.core.fs.Path root) {
        this.root = root;
    }

    /**
     * The store under {@code uri}: any URI a Flink file system serves ({@code file:///models}, {@code s3://bucket/x},
     * {@code hdfs://...}), or a local path.
     */
    public static ModelStore at(String uri) throws IOException {
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(uri);
        return new ModelStore(path.makeQualified(path.getFileSystem()));
    }

    /** The store's root as a fully qualified URI. */
    public String uri() {
        return root.toString();
    }

    /** What {@link #fetch} may open of this store: its own checkpoints, up to {@code maxBytes} each. */
    public FetchLimits fetchLimits(long maxBytes) {
        return FetchLimits.under(List.of(uri()), "hovle.store.uri", maxBytes);
    }

    /**
     * Copies every regular file under {@code localCheckpointDir} (config, safetensors and their index, tokenizer
     * files, optimizer state, anything else) to {@code <store>/<version>/}, keeping relative paths. Publishing a
     * version again replaces it entirely, so a publish retried after a failure leaves no stray files behind.
     *
     * @param version one path segment: letters, digits, {@code .}, {@code _} and {@code -}
     * @return the version's URI and the SHA-256 of every file by relative path ({@code /}-separated)
     */
    public Published publish(Path localCheckpointDir, String version) throws IOException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("version " + version + " is not a valid store name: use letters, "
                    + "digits, '.', '_' and '-', starting with a letter or digit");
        }
        List<String> files = localFiles(localCheckpointDir);
        if (files.isEmpty()) {
            throw new IOException("nothing to publish: " + localCheckpointDir + " holds no files");
        }
        org.apache.flink.core.fs.Path target = new org.apache.flink.core.fs.Path(root, version);
        FileSystem fs = target.getFileSystem();
        if (fs.exists(target)) {
            fs.delete(target, true);
        }
        Map<String, String> checksums = new TreeMap<>();
        for (String file : files) {
            try (InputStream in = Files.newInputStream(localCheckpointDir.resolve(file));
                    OutputStream out = fs.create(new org.apache.flink.core.fs.Path(target, file),
                            FileSystem.WriteMode.OVERWRITE)) {
                checksums.put(file, copy(in, out, Long.MAX_VALUE)); // our own checkpoint
            }
        }
        return new Published(target.toString(), Collections.unmodifiableMap(checksums));
    }

    /**
     * Copies the checkpoint at {@code uri} into {@code localDir} (created; it must not hold anything yet) and
     * verifies it against {@code checksums}: every file under {@code uri} must be listed, every listed file must be
     * there, and each must hash to its listed SHA-256. The URI comes from a record, so it is opened only when
     * {@code limits} allow it: under one of their prefixes, regular files only (a local link must stay inside a
     * prefix), and at most their byte budget in all (a copy stops there). On any refusal the partial copy is deleted.
     *
     * @return {@code localDir}, holding the verified copy
     * @throws CheckpointRefusedException naming the file (or the URI) that failed the check
     */
    public static Path fetch(String uri, Map<String, String> checksums, Path localDir, FetchLimits limits)
            throws IOException {
        requireWellFormed(uri, checksums);
        String canonical;
        try {
            canonical = limits.prefixes().check(uri, "checkpoint URI");
        } catch (UriRefusedException e) {
            throw new CheckpointRefusedException(e.getMessage());
        }
        org.apache.flink.core.fs.Path source;
        Map<String, FileStatus> found;
        try {
            source = new org.apache.flink.core.fs.Path(canonical);
            FileSystem fs = source.getFileSystem();
            if (!fs.exists(source)) {
                throw new CheckpointRefusedException("no checkpoint at " + uri);
            }
            found = new TreeMap<>();
            list(fs, source, "", found);
        } catch (CheckpointRefusedException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointRefusedException("cannot read the checkpoint at " + uri + ": " + e.getMessage(), e);
        }
        long declared = 0;
        for (Map.Entry<String, FileStatus> e : found.entrySet()) {
            requireOrdinaryFile(uri, e.getKey(), e.getValue().getPath(), limits);
            declared += e.getValue().getLen();
        }
        if (declared > limits.maxBytes()) {
            throw new CheckpointRefusedException("the checkpoint at " + uri + " holds " + declared + " bytes, more "
                    + "than the " + limits.maxBytes() + " allowed");
        }
        for (String file : found.keySet()) {
            if (!checksums.containsKey(file)) {
                throw new CheckpointRefusedException("file " + file + " of " + uri + " is not listed in the checksums");
            }
        }
        for (String file : checksums.keySet()) {
            if (!found.containsKey(file)) {
                throw new CheckpointRefusedException("file " + file + " is missing from " + uri);
            }
        }
        Files.createDirectories(localDir);
        try (Stream<Path> existing = Files.list(localDir)) {
            if (existing.findAny().isPresent()) {
                throw new IOException("fetch needs an empty directory, and " + localDir + " is not");
            }
        }
        try {
            long budget = limits.maxBytes();
            for (Map.Entry<String, FileStatus> e : found.entrySet()) {
                Path local = localDir.resolve(e.getKey());
                Files.createDirectories(local.getParent());
                String actual;
                org.apache.flink.core.fs.Path file = e.getValue().getPath();
                try (InputStream in = file.getFileSystem().open(file); OutputStream out = Files.newOutputStream(local)) {
                    actual = copy(in, out, budget);
                    budget -= Files.size(local);
                } catch (CheckpointRefusedException refused) {
                    throw new CheckpointRefusedException("the checkpoint at " + uri + " holds more than the "
                            + limits.maxBytes() + " bytes allowed (file " + e.getKey() + " grew while read)");
                } catch (IOException io) {
                    throw new CheckpointRefusedException("cannot read file " + e.getKey() + " of " + uri + ": "
                            + io.getMessage(), io);
                }
                String expected = checksums.get(e.getKey());
                if (!expected.equals(actual)) {
                    throw new CheckpointRefusedException("checksum mismatch for file " + e.getKey() + " of " + uri
                            + ": expected SHA-256 " + expected + ", found " + actual);
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteLocalCopy(localDir);
            throw e;
        }
        return localDir;
    }

    /**
     * Where a published version went.
     *
     * @param uri the version's directory in the store, fully qualified (what {@code ModelUpdate.uri} carries)
     * @param checksums SHA-256 of every file as 64 lowercase hex digits, by {@code /}-separated relative path
     */
    public record Published(String uri, Map<String, String> checksums) {}

    private static void requireWellFormed(String uri, Map<String, String> checksums) throws IOException {
        if (uri == null || uri.isBlank()) {
            throw new CheckpointRefusedException("the update names no checkpoint URI");
        }
        if (checksums == null || checksums.isEmpty()) {
            throw new CheckpointRefusedException("the update lists no checksums for " + uri
                    + ": nothing can be verified");
        }
        for (Map.Entry<String, String> e : checksums.entrySet()) {
            String file = e.getKey();
            // A listed path may only name a file inside the checkpoint: never an absolute path or a way out of it.
            if (file.isEmpty() || file.startsWith("/") || file.contains("\\") || List.of(file.split("/", -1))
                    .stream().anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
                throw new CheckpointRefusedException("file " + file + " listed for " + uri + " is not a relative path "
                        + "inside the checkpoint");
            }
            if (e.getValue() == null || !SHA256_HEX.matcher(e.getValue()).matches()) {
                throw new CheckpointRefusedException("checksum of file " + file + " for " + uri + " is not 64 lowercase "
                        + "hex digits: " + e.getValue());
            }
        }
    }

    /**
     * What {@link #fetch} may open for a record: URIs under {@code prefixes}, at most {@code maxBytes} in all.
     *
     * @param prefixes the store's URI prefixes
     * @param maxBytes the largest checkpoint, over all its files
     */
    public record FetchLimits(UriPrefixes prefixes, long maxBytes) implements Serializable {
        public FetchLimits {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("the checkpoint size limit must be positive: " + maxBytes);
            }
        }

        /** Checkpoints under {@code prefixes} (from the option {@code option}) of at most {@code maxBytes}. */
        public static FetchLimits under(List<String> prefixes, String option, long maxBytes) {
            return new FetchLimits(new UriPrefixes(prefixes, option), maxBytes);
        }
    }

    /** A listed file must be a plain file; on the local file system, one whose real path stays inside a prefix. */
    private static void requireOrdinaryFile(String uri, String name, org.apache.flink.core.fs.Path file,
            FetchLimits limits) throws CheckpointRefusedException {
        if (!"file".equals(file.toUri().getScheme())) {
            return; // object stores and HDFS hold plain files only
        }
        try {
            Path real = Path.of(file.toUri()).toRealPath();
            if (!Files.isRegularFile(real) || !limits.prefixes().allows(UriPrefixes.canonical(real.toUri().toString()))) {
                throw new CheckpointRefusedException("file " + name + " of " + uri + " is not a regular file inside "
                        + "the allowed prefixes");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointRefusedException("cannot check file " + name + " of " + uri + ": " + e.getMessage());
        }
    }

    private static void list(FileSystem fs, org.apache.flink.core.fs.Path dir, String prefix,
            Map<String, FileStatus> out) throws IOException {
        FileStatus[] statuses = fs.listStatus(dir);
        if (statuses == null) {
            throw new IOException(dir + " is not a directory");
        }
        for (FileStatus status : statuses) {
            String name = prefix + status.getPath().getName();
            if (status.isDir()) {
                list(fs, status.getPath(), name + "/", out);
            } else {
                out.put(name, status);
            }
        }
    }

    private static List<String> localFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no checkpoint directory at " + dir);
        }
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(p -> files.add(dir.relativize(p).toString()
                    .replace(dir.getFileSystem().getSeparator(), "/")));
        }
        return new ArrayList<>(files);
    }

    /**
     * Copies {@code in} to {@code out}, returning the SHA-256 of what passed as 64 lowercase hex digits.
     *
     * @throws CheckpointRefusedException when more than {@code budget} bytes come
     */
    private static String copy(InputStream in, OutputStream out, long budget) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
            byte[] buffer = new byte[BUFFER];
            long copied = 0;
            for (int n; (n = digesting.read(buffer)) > 0; ) {
                copied += n;
                if (copied > budget) {
                    throw new CheckpointRefusedException("more than " + budget + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Deletes a local checkpoint copy (one {@link #fetch} made, or one written to {@link #publish}), as far as it
     * can: a copy left behind in a temporary or cache directory is harmless, so this never fails.
     */
    public static void deleteLocalCopy(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // Nothing depends on the copy being gone.
        }
    }
}
