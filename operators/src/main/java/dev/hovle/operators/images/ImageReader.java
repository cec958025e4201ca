package dev.hovle.operators.images;

import dev.hovle.operators.access.UriPrefixes;
import dev.hovle.operators.access.UriRefusedException;
import dev.hovle.operators.images.ImageReadException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads encoded images named by URI within {@link ImageLimits}: only URIs under its prefixes ({@link UriPrefixes}), only
 * regular files (a device such as {@code /dev/zero}, a pipe or a directory is refused before it is opened; a local
 * symbolic link must resolve inside an allowed prefix too), at most {@code maxBytes}, and within {@code readTimeout}.
 * Any Flink file system works ({@code file://}, {@code s3://}, {@code hdfs://}...).
 *
 * <p>Reads run on a few daemon threads so a read that hangs (a stalled remote store) times out instead of holding
 * the task; a read that ignores interruption keeps its thread until it returns, and when all threads are held new
 * reads fail fast instead of piling up.
 */
public final class ImageReader implements AutoCloseable {
    private static final int MAX_CONCURRENT_READS = 4;

    private final ImageLimits limits;
    private final UriPrefixes policy;
    private final ThreadPoolExecutor readers;

    public ImageReader(ImageLimits limits) {
        this.limits = limits;
        this.policy = new UriPrefixes(limits.uriPrefixes(), ImageLimits.URI_PREFIXES_OPTION);
        this.readers = new ThreadPoolExecutor(0, MAX_CONCURRENT_READS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "hovle-image-reader");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * The bytes of the image at {@code uri}.
     *
     * @throws ImageReadException REFUSED (never opened), TOO_LARGE, or UNREADABLE (missing, failing, or too slow)
     */
    public byte[] read(String uri) throws ImageReadException {
        String canonical;
        try {
            canonical = policy.check(uri, "image URI");
        } catch (UriRefusedException e) {
            throw new ImageReadException(Reason.REFUSED, e.getMessage());
        }
        Path path = new Path(canonical);
        AtomicReference<InputStream> open = new AtomicReference<>();
        Future<byte[]> reading;
        try {
            reading = readers.submit(() -> readChecked(uri, path, open));
        } catch (RejectedExecutionException e) {
            throw new ImageReadException(Reason.UNREADABLE, "image URI " + uri + " was not read: "
                    + MAX_CONCURRENT_READS + " earlier reads are still hanging");
        }
        try {
            return reading.get(limits.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reading.cancel(true);
            closeQuietly(open.get());
            throw new ImageReadException(Reason.UNREADABLE, "reading image URI " + uri + " took longer than "
                    + limits.readTimeout().toMillis() + " ms (hovle.images.read-timeout)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ImageReadException refused) {
                throw refused;
            }
            throw new ImageReadException(Reason.UNREADABLE, "image URI " + uri + " could not be read: "
                    + describe(e.getCause()));
        } catch (InterruptedException e) {
            reading.cancel(true);
            closeQuietly(open.get());
            Thread.currentThread().interrupt();
            throw new ImageReadException(Reason.UNREADABLE, "reading image URI " + uri + " was interrupted");
        }
    }

    private byte[] readChecked(String uri, Path path, AtomicReference<InputStream> open)
            throws IOException, ImageReadException {
        FileSystem fs = path.getFileSystem();
        long length = "file".equals(path.toUri().getScheme()) ? localLength(uri, path) : remoteLength(uri, fs, path);
        if (length > limits.maxBytes()) {
            throw tooLarge(uri, length + " bytes");
        }
        try (InputStream in = fs.open(path)) {
            open.set(in);
            // The file may have grown since its length was read: never read more than the limit plus one byte.
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
            if (data.length > limits.maxBytes()) {
                throw tooLarge(uri, "more than " + limits.maxBytes() + " bytes");
            }
            return data;
        }
    }

    /** A local file's length, once its real path (links resolved) is known to be an allowed regular file. */
    private long localLength(String uri, Path path) throws IOException, ImageReadException {
        java.nio.file.Path real = java.nio.file.Path.of(path.toUri()).toRealPath();
        if (!policy.allows(UriPrefixes.canonical(real.toUri().toString()))) {
            throw new ImageReadException(Reason.REFUSED, "image URI " + uri
                    + " is a link that leads outside the allowed prefixes");
        }
        if (!Files.isRegularFile(real)) {
            throw new ImageReadException(Reason.REFUSED, "image URI " + uri + " is not a regular file");
        }
        return Files.size(real);
    }

    private static long remoteLength(String uri, FileSystem fs, Path path) throws IOException, ImageReadException {
        FileStatus status = fs.getFileStatus(path);
        if (status.isDir()) {
            throw new ImageReadException(Reason.REFUSED, "image URI " + uri + " is a directory");
        }
        return status.getLen();
    }

    private ImageReadException tooLarge(String uri, String size) {
        return new ImageReadException(Reason.TOO_LARGE, "image URI " + uri + " holds " + size
                + ", more than the limit of " + limits.maxBytes() + " (hovle.images.max-bytes)");
    }

    /** The failure's type and message: file systems name paths, not contents. */
    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // the read is abandoned either way
            }
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
