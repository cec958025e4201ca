package dev.hovle.operators.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    @TempDir
    static Path checkpoint;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeCheckpoint() throws Exception {
        SnapshotInitializer.create(checkpoint, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 5);
        // Training checkpoints carry more than the model: optimizer state, trainer state, maybe in sub-folders.
        Files.createDirectories(checkpoint.resolve("trainer"));
        Files.writeString(checkpoint.resolve("trainer/state.json"), "{\"step\": 1200}");
    }

    @Test
    void publishesEveryFileWithItsSha256AndFetchesAVerifiedCopyThatLoads() throws Exception {
        ModelStore store = ModelStore.at(temp.resolve("store").toString());

        ModelStore.Published published = store.publish(checkpoint, "step-1200");
        Path local = ModelStore.fetch(published.uri(), published.checksums(), temp.resolve("cache/step-1200"),
                store.fetchLimits(1L << 30));

        assertThat(published.uri()).startsWith("file:").endsWith("/store/step-1200");
        assertThat(published.checksums()).containsKeys("config.json", "model.safetensors", "tokenizer.model",
                "trainer/state.json");
        try (Stream<Path> files = Files.walk(checkpoint)) {
            assertThat(published.checksums()).hasSize((int) files.filter(Files::isRegularFile).count());
        }
        assertThat(published.checksums().get("trainer/state.json")).isEqualTo(sha256(checkpoint.resolve(
                "trainer/state.json")));
        assertThat(published.checksums().values()).allMatch(h -> h.matches("[0-9a-f]{64}"));
        assertThat(local.resolve("model.safetensors")).hasSameBinaryContentAs(checkpoint.resolve("model.safetensors"));
        try (HoVLEModel model = HoVLEModel.load(local)) {
            assertThat(model.config().llm().vocabSize()).isEqualTo(ModelSize.TINY.vocab());
        }
    }

    @Test
    void refusesACheckpointWithACorruptedByteNamingTheFile() throws Exception {
        ModelStore.Published published = ModelStore.at(temp.resolve("store").toString()).publish(checkpoint, "v2");
        Path stored = temp.resolve("store/v2/model.safetensors");
        flipOneByte(stored, Files.size(stored) / 2);
        Path cache = temp.resolve("cache/v2");

        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), published.checksums(), cache, storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("checksum mismatch for file model.safetensors")
                .hasMessageContaining(published.checksums().get("model.safetensors"));
        assertThat(cache).doesNotExist();
    }

    @Test
    void refusesAMissingFileAnUnlistedFileAndAnUnreadableUri() throws Exception {
        ModelStore.Published published = ModelStore.at(temp.resolve("store").toString()).publish(checkpoint, "v3");
        Map<String, String> withExtra = new HashMap<>(published.checksums());
        withExtra.put("model-00002-of-00002.safetensors", "0".repeat(64));
        Map<String, String> withoutConfig = new HashMap<>(published.checksums());
        withoutConfig.remove("config.json");

        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), withExtra, temp.resolve("a"), storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("file model-00002-of-00002.safetensors is missing");
        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), withoutConfig, temp.resolve("b"), storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("file config.json of " + published.uri() + " is not listed");
        assertThatThrownBy(() -> ModelStore.fetch(temp.resolve("store/nowhere").toUri().toString(),
                published.checksums(), temp.resolve("c"), storeLimits())).isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("no checkpoint at");
        assertThatThrownBy(() -> ModelStore.fetch("nosuchscheme://bucket/v3", published.checksums(), temp.resolve("d"),
                ModelStore.FetchLimits.under(List.of("nosuchscheme://bucket/"), "test", 1L << 30)))
                .isInstanceOf(CheckpointRefusedException.class).hasMessageContaining("cannot read the checkpoint at");
    }

    @Test
    void refusesListedPathsThatLeaveTheCheckpointAndMalformedChecksums() throws Exception {
        ModelStore.Published published = ModelStore.at(temp.resolve("store").toString()).publish(checkpoint, "v4");

        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), Map.of("../../etc/passwd", "0".repeat(64)),
                temp.resolve("a"), storeLimits())).isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("not a relative path inside the checkpoint");
        Map<String, String> upperCase = new HashMap<>(published.checksums());
        upperCase.put("config.json", upperCase.get("config.json").toUpperCase());
        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), upperCase, temp.resolve("b"), storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class).hasMessageContaining("checksum of file config.json");
        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), Map.of(), temp.resolve("c"), storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class).hasMessageContaining("lists no checksums");
    }

    @Test
    void refusesACheckpointOutsideTheAllowedPrefixesWithoutOpeningIt() throws Exception {
        ModelStore.Published elsewhere = ModelStore.at(temp.resolve("elsewhere").toString()).publish(checkpoint, "v6");
        Path cache = temp.resolve("cache/v6");

        assertThatThrownBy(() -> ModelStore.fetch(elsewhere.uri(), elsewhere.checksums(), cache, storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("checkpoint URI " + elsewhere.uri() + " is outside the allowed prefixes")
                .hasMessageContaining("hovle.store.uri");
        assertThatThrownBy(() -> ModelStore.fetch("file:///dev", Map.of("zero", "0".repeat(64)), cache, storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class).hasMessageContaining("outside the allowed prefixes");
        assertThatThrownBy(() -> ModelStore.fetch(elsewhere.uri(), elsewhere.checksums(), cache,
                ModelStore.FetchLimits.under(List.of(), "hovle.model-updates.uri-prefixes", 1L << 30)))
                .isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("none are configured: set hovle.model-updates.uri-prefixes");
        assertThat(cache).doesNotExist();
    }

    @Test
    void refusesADeviceOrALinkLeavingTheStoreInsideACheckpoint() throws Exception {
        Path evil = Files.createDirectories(temp.resolve("store/evil"));
        Files.createSymbolicLink(evil.resolve("model.safetensors"), Path.of("/dev/zero"));
        Path leaky = Files.createDirectories(temp.resolve("store/leaky"));
        Files.createSymbolicLink(leaky.resolve("config.json"), checkpoint.resolve("config.json"));
        Path cache = temp.resolve("cache/evil");

        assertThatThrownBy(() -> ModelStore.fetch(evil.toUri().toString(), Map.of("model.safetensors", "0".repeat(64)),
                cache, storeLimits())).isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("file model.safetensors of").hasMessageContaining("is not a regular file inside");
        assertThatThrownBy(() -> ModelStore.fetch(leaky.toUri().toString(), Map.of("config.json",
                sha256(checkpoint.resolve("config.json"))), cache, storeLimits()))
                .isInstanceOf(CheckpointRefusedException.class).hasMessageContaining("is not a regular file inside");
        assertThat(cache).doesNotExist();
    }

    @Test
    void refusesACheckpointLargerThanTheLimitBeforeCopyingIt() throws Exception {
        ModelStore store = ModelStore.at(temp.resolve("store").toString());
        ModelStore.Published published = store.publish(checkpoint, "v7");
        Path cache = temp.resolve("cache/v7");

        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), published.checksums(), cache,
                store.fetchLimits(1000))).isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("more than the 1000 allowed");
        assertThat(cache).doesNotExist();
    }

    @Test
    void republishingAVersionReplacesItsFiles() throws Exception {
        ModelStore store = ModelStore.at(temp.resolve("store").toString());
        Path other = temp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("config.json"), "{}", StandardCharsets.UTF_8);
        store.publish(checkpoint, "v5");

        ModelStore.Published again = store.publish(other, "v5");

        assertThat(again.checksums()).containsOnlyKeys("config.json");
        assertThat(ModelStore.fetch(again.uri(), again.checksums(), temp.resolve("cache"), storeLimits())
                .resolve("config.json"))
                .hasContent("{}");
        assertThatThrownBy(() -> store.publish(other, "../escape")).isInstanceOf(IllegalArgumentException.class);
    }

    private ModelStore.FetchLimits storeLimits() throws Exception {
        return ModelStore.at(temp.resolve("store").toString()).fetchLimits(1L << 30);
    }

    private static void flipOneByte(Path file, long position) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x01);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
