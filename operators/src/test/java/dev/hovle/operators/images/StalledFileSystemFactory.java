package dev.hovle.operators.images;

import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * The {@code stalled://} file system: local files whose reads never return, like a remote store that accepted the
 * connection and then went quiet. Registered for the tests through {@code META-INF/services}.
 */
public final class StalledFileSystemFactory implements FileSystemFactory {
    @Override
    public String getScheme() {
        return "stalled";
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new LocalFileSystem() {
            @Override
            public FSDataInputStream open(Path f) {
                return new FSDataInputStream() {
                    @Override
                    public void seek(long desired) {}

                    @Override
                    public long getPos() {
                        return 0;
                    }

                    @Override
                    public int read() throws IOException {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            throw new IOException("interrupted");
                        }
                        return -1;
                    }
                };
            }

            @Override
            public URI getUri() {
                return URI.create("stalled:///");
            }

            @Override
            public boolean isDistributedFS() {
                return true;
            }
        };
    }
}
