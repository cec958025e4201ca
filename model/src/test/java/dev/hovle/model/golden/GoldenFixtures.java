package dev.hovle.model.golden;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the golden fixtures are: {@code -Dhovle.golden.dir}, else {@code ../shared/golden} beside the checkout. */
final class GoldenFixtures {
    private GoldenFixtures() {}

    static Path root() {
        String configured = System.getProperty("hovle.golden.dir");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "shared", "golden");
        if (!Files.isDirectory(root)) {
            root = Path.of("..", "..", "shared", "golden");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("golden fixtures not found at " + root.toAbsolutePath()
                    + ": set -Dhovle.golden.dir");
        }
        return root.normalize();
    }

    static Path models() {
        return root().resolve("models");
    }
}
