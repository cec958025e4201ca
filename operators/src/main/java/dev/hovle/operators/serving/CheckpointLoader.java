package dev.hovle.operators.serving;

import dev.hovle.model.HoVLEModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the weights of a {@link ServingTarget} for {@link SharedEngine#serve}: the configured snapshot from its
 * directory as it is, a stored checkpoint only after {@link ModelStore#fetch} copied it under the {@link
 * ModelStore.FetchLimits} and verified every file's SHA-256. Shared by everything that follows the model-updates
 * topic (the DataStream job's {@link ModelUpdateOperator}, the SQL provider's follower), so both refuse the same
 * checkpoints.
 */
public final class CheckpointLoader {
    private CheckpointLoader() {}

    /** The cache directory for checkpoints being fetched: {@code configured}, or {@code hovle-model-cache} in tmp. */
    public static Path cacheDir(String configured) {
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("java.io.tmpdir"),
                "hovle-model-cache");
    }

    /** A loader of {@code target}; it runs on the engine's loader thread, so fetching never blocks a task thread. */
    public static SharedEngine.ModelLoader of(ServingTarget target, Path cacheDir, ModelStore.FetchLimits limits) {
        if (target instanceof ServingTarget.Configured configured) {
            return (device, dtype) -> HoVLEModel.load(Path.of(configured.dir()), device, dtype);
        }
        ServingTarget.Stored stored = (ServingTarget.Stored) target;
        return (device, dtype) -> {
            Files.createDirectories(cacheDir);
            Path local = Files.createTempDirectory(cacheDir, stored.version() + "-");
            try {
                return HoVLEModel.load(ModelStore.fetch(stored.uri(), stored.checksums(), local, limits), device,
                        dtype);
            } finally {
                // The loaded model holds its weights (copied, or mapped from files it had open, which outlive deletion
                // on POSIX), so the copy can go: the cache holds only checkpoints being loaded.
                ModelStore.deleteLocalCopy(local);
            }
        };
    }
}
