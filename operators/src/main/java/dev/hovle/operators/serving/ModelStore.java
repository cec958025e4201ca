package dev.hovle.operators.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Path local = ModelStore.fetch(update.getUri(), update.getChecksums(), Path.of("/tmp/hovle-cache/step-1200"));
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
                checksums.put(file, copy(in, out));
            }
        }
        return new Published(target.toString(), Collections.unmodifiableMap(checksums));
    }

    /**
     * Copies the checkpoint at {@code uri} into {@code localDir} (created; it must not hold anything yet) and
     * verifies it against {@code checksums}: every file under {@code uri} must be listed, every listed file must be
     * there, and each must hash to its listed SHA-256. On any refusal the partial copy is deleted.
     *
     * @return {@code localDir}, holding the verified copy
     * @throws CheckpointRefusedException naming the file (or the URI) that failed the check
     */
    public static Path fetch(String uri, Map<String, String> checksums, Path localDir) throws IOException {
        requireWellFormed(uri, checksums);
        org.apache.flink.core.fs.Path source;
        Map<String, org.apache.flink.core.fs.Path> found;
        try {
            source = new org.apache.flink.core.fs.Path(uri);
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
            for (Map.Entry<String, org.apache.flink.core.fs.Path> e : found.entrySet()) {
                Path local = localDir.resolve(e.getKey());
                Files.createDirectories(local.getParent());
                String actual;
                try (InputStream in = e.getValue().getFileSystem().open(e.getValue());
                        OutputStream out = Files.newOutputStream(local)) {
                    actual = copy(in, out);
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

    private static void list(FileSystem fs, org.apache.flink.core.fs.Path dir, String prefix,
            Map<String, org.apache.flink.core.fs.Path> out) throws IOException {
        FileStatus[] statuses = fs.listStatus(dir);
        if (statuses == null) {
            throw new IOException(dir + " is not a directory");
        }
        for (FileStatus status : statuses) {
            String name = prefix + status.getPath().getName();
            if (status.isDir()) {
                list(fs, status.getPath(), name + "/", out);
            } else {
                out.put(name, status.getPath());
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

    /** Copies {@code in} to {@code out}, returning the SHA-256 of what passed as 64 lowercase hex digits. */
    private static String copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
            digesting.transferTo(out);
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
