package dev.hovle.operators.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedEngineTest {
    @TempDir
    static Path first;

    @TempDir
    static Path second;

    @BeforeAll
    static void createModels() throws Exception {
        SnapshotInitializer.create(first, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 1);
        SnapshotInitializer.create(second, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 2);
    }

    @Test
    void theSlotsOfATaskManagerLoadEachVersionOnceInTheOrderOfTheUpdates() throws Exception {
        EngineSpec spec = EngineSpec.cpu(first.toString(), "v1", EngineFactory.continuousBatching(2, 32, 256));
        AtomicInteger loads = new AtomicInteger();
        SharedEngine.ModelLoader secondModel = (device, dtype) -> {
            loads.incrementAndGet();
            return HoVLEModel.load(second, device, dtype);
        };
        try (SharedEngine slot1 = SharedEngine.acquire(spec); SharedEngine slot2 = SharedEngine.acquire(spec)) {
            Optional<CompletableFuture<Void>> started = slot1.serve("v2", 10, secondModel);
            Optional<CompletableFuture<Void>> again = slot2.serve("v2", 10, secondModel);
            started.orElseThrow().join();

            assertThat(again).as("the second slot sees the same update: nothing to do").isEmpty();
            assertThat(slot2.engine().modelVersion()).isEqualTo("v2");
            assertThat(slot1.serve("v1", 9, (d, t) -> HoVLEModel.load(first, d, t)))
                    .as("a slot lagging behind asks for what a later update replaced").isEmpty();
            assertThat(slot1.serve("v2", 11, secondModel)).as("already serving").isEmpty();
            assertThat(loads).hasValue(1);
            assertThat(slot1.engine().modelVersion()).isEqualTo("v2");
        }
    }

    @Test
    void aReplayOfManyUpdatesEndsOnTheLastChoiceWithoutRefusingTheVersionsItPassed() throws Exception {
        EngineSpec spec = EngineSpec.cpu(first.toString(), "v1", EngineFactory.continuousBatching(2, 32, 256));
        try (SharedEngine lease = SharedEngine.acquire(spec)) {
            // The loader is busy while the updates arrive (as when a replay outpaces loading): otherwise whether v4's
            // turn comes before v2's second ask is a race between two threads, which this test is not about.
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch replayed = new CountDownLatch(1);
            CompletableFuture<Void> busy = lease.serve("v0", 0, (d, t) -> {
                loading.countDown();
                try {
                    replayed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the updates were replayed", e);
                }
                return HoVLEModel.load(first, d, t);
            }).orElseThrow();
            // Only once the loader is inside v0's load: asked earlier, v2 would replace v0 before the loader took it.
            assertThat(loading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // What a new job reads from the updates topic at once: promote v2, roll it back, promote v4, promote v2.
            CompletableFuture<Void> v2 = lease.serve("v2", 1, (d, t) -> HoVLEModel.load(second, d, t)).orElseThrow();
            assertThat(lease.serve("v1", 5, (d, t) -> HoVLEModel.load(first, d, t))).isEmpty();
            CompletableFuture<Void> v4 = lease.serve("v4", 6, (d, t) -> {
                throw new IOException("not reached: a later update replaces v4 before its turn");
            }).orElseThrow();
            CompletableFuture<Void> v2again = lease.serve("v2", 7, (d, t) -> HoVLEModel.load(second, d, t))
                    .orElseThrow();

            replayed.countDown();

            CompletableFuture.allOf(busy, v2, v4, v2again).join();
            lease.settled().join();
            assertThat(lease.engine().modelVersion()).isEqualTo("v2");
        }
    }

    @Test
    void aVersionThatFailsToLoadKeepsTheServingOneAndMayBeAskedForAgain() throws Exception {
        EngineSpec spec = EngineSpec.cpu(first.toString(), "v1", EngineFactory.sequential());
        try (SharedEngine lease = SharedEngine.acquire(spec)) {
            CompletableFuture<Void> refused = lease.serve("v3", 1, (d, t) -> {
                throw new IOException("checksum mismatch for file model.safetensors");
            }).orElseThrow();

            assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
                    .hasMessageContaining("checksum mismatch for file model.safetensors");
            assertThat(lease.engine().modelVersion()).isEqualTo("v1");

            lease.serve("v3", 2, (d, t) -> HoVLEModel.load(second, d, t)).orElseThrow().join();
            assertThat(lease.engine().modelVersion()).isEqualTo("v3");
            lease.serve("v1", 3, (d, t) -> HoVLEModel.load(first, d, t)).orElseThrow().join();
            assertThat(lease.engine().modelVersion()).isEqualTo("v1");
        }
        assertThat(SharedEngine.leases(spec)).isZero();
    }
}
