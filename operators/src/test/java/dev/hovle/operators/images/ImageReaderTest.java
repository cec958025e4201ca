package dev.hovle.operators.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.operators.images.ImageReadException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReaderTest {
    @TempDir
    Path dir;

    private ImageReader readerOf(Path allowed, long maxBytes) {
        return new ImageReader(new ImageLimits(List.of(allowed.toUri().toString()), maxBytes, Duration.ofSeconds(5),
                16));
    }

    @Test
    void readsAnImageUnderAnAllowedPrefix() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("a.png"), new byte[] {1, 2, 3});
        try (ImageReader reader = readerOf(images, 100)) {
            assertThat(reader.read(images.resolve("a.png").toUri().toString())).containsExactly(1, 2, 3);
        }
    }

    @Test
    void refusesADeviceWithoutReadingIt() {
        try (ImageReader reader = readerOf(Path.of("/dev"), 100)) {
            assertThatThrownBy(() -> reader.read("file:///dev/zero"))
                    .isInstanceOfSatisfying(ImageReadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                    .hasMessageContaining("not a regular file");
        }
    }

    @Test
    void refusesADirectory() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images").resolve("sub"));
        try (ImageReader reader = readerOf(images.getParent(), 100)) {
            assertThatThrownBy(() -> reader.read(images.toUri().toString()))
                    .isInstanceOfSatisfying(ImageReadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED));
        }
    }

    @Test
    void refusesALinkThatLeadsOutOfThePrefix() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0");
        Path link = Files.createSymbolicLink(images.resolve("cat.png"), secret);
        try (ImageReader reader = readerOf(images, 100)) {
            assertThatThrownBy(() -> reader.read(link.toUri().toString()))
                    .isInstanceOfSatisfying(ImageReadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                    .hasMessageContaining("link").hasMessageNotContaining("root");
        }
    }

    @Test
    void refusesAFileOverTheSizeLimitNamingTheLimitNotTheContent() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.writeString(images.resolve("big.png"), "secret-secret-secret");
        try (ImageReader reader = readerOf(images, 10)) {
            assertThatThrownBy(() -> reader.read(images.resolve("big.png").toUri().toString()))
                    .isInstanceOfSatisfying(ImageReadException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                    .hasMessageContaining("limit of 10").hasMessageNotContaining("secret-");
        }
    }

    @Test
    void reportsAMissingFileAsUnreadable() {
        try (ImageReader reader = readerOf(dir, 10)) {
            assertThatThrownBy(() -> reader.read(dir.resolve("none.png").toUri().toString()))
                    .isInstanceOfSatisfying(ImageReadException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNREADABLE));
        }
    }

    @Test
    void refusesAPipeThatWouldBlockForever() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path fifo = images.resolve("stuck.png");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        try (ImageReader reader = readerOf(images, 10)) {
            assertThatThrownBy(() -> reader.read(fifo.toUri().toString()))
                    .isInstanceOfSatisfying(ImageReadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED));
        }
    }

    @Test
    void givesUpOnAReadThatStallsAfterTheTimeout() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("slow.png"), new byte[] {1, 2, 3});
        String uri = "stalled://" + images.resolve("slow.png").toUri().getPath();
        ImageLimits limits = new ImageLimits(List.of("stalled://" + images.toUri().getPath()), 100,
                Duration.ofMillis(300), 16);
        try (ImageReader reader = new ImageReader(limits)) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> reader.read(uri))
                    .isInstanceOfSatisfying(ImageReadException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNREADABLE))
                    .hasMessageContaining("longer than 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
