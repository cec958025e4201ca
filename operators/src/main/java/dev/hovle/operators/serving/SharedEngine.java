package dev.hovle.operators.serving;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.DeviceSelection;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on the one engine (and model) of this JVM for an {@link EngineSpec}: the slots of a TaskManager share the
 * native weights and the engine's batch instead of loading a model each. Reference counted: the first lease loads,
 * the last {@link #close()} stops the engine and frees the model.
 *
 * <p>Lifecycle: acquire in a function's {@code open()}, close in its {@code close()}. The engine starts on the spec's
 * snapshot and version; {@link #serve} moves it to other versions while it runs.
 */
public final class SharedEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedEngine.class);
    private static final Map<EngineSpec, Holder> HOLDERS = new HashMap<>();

    private final EngineSpec spec;
    private final Holder holder;
    private final AtomicBoolean released = new AtomicBoolean();

    private SharedEngine(EngineSpec spec, Holder holder) {
        this.spec = spec;
        this.holder = holder;
    }

    /** Leases the engine for {@code spec}, loading the model and starting the engine if no lease holds it yet. */
    public static SharedEngine acquire(EngineSpec spec) throws IOException {
        synchronized (HOLDERS) {
            Holder holder = HOLDERS.get(spec);
            if (holder == null) {
                holder = Holder.load(spec);
                HOLDERS.put(spec, holder);
            }
            holder.leases++;
            return new SharedEngine(spec, holder);
        }
    }

    /** Leases alive for {@code spec} in this JVM (0 once every holder has closed). */
    public static int leases(EngineSpec spec) {
        synchronized (HOLDERS) {
            Holder holder = HOLDERS.get(spec);
            return holder == null ? 0 : holder.leases;
        }
    }

    /** The shared engine. */
    public GenerationEngine engine() {
        return holder.engine;
    }

    /**
     * Asks the engine to serve {@code version}, which {@code loader} loads on a background thread; the engine swaps it
     * in between decode steps, running requests finish on the model they started with, and the replaced model is
     * closed once nothing uses it. Idempotent per version and ordered by {@code sequence} (the position of the update
     * that decided it): a call whose sequence is not above every earlier call's, or for the version already serving
     * or loading, does nothing.
     *
     * @return for the call that started a load, its outcome: completed when the version serves (or a later call
     *     superseded it), failed with the reason when it could not be loaded or swapped in, in which case the
     *     engine keeps serving what it served; empty for a call that started nothing
     */
    public Optional<CompletableFuture<Void>> serve(String version, long sequence, ModelLoader loader) {
        return holder.versions.serve(version, sequence, loader);
    }

    /**
     * Completes once the newest load any lease started has ended: its version serves, or it failed and the engine
     * serves on what it served. Already complete when nothing is loading.
     */
    public CompletableFuture<Void> settled() {
        return holder.versions.settled();
    }

    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        synchronized (HOLDERS) {
            if (--holder.leases == 0) {
                HOLDERS.remove(spec);
                holder.versions.stopLoading();
                holder.engine.close();
                holder.versions.closeModels();
                LOG.info("closed the engine for {}", spec.modelDir());
            }
        }
    }

    /** Loads one model version onto the engine's device in its compute dtype; called off the task threads. */
    @FunctionalInterface
    public interface ModelLoader {
        HoVLEModel load(Device device, DataType dtype) throws IOException;
    }

    /** The engine behind the leases of one spec, and the switch that owns its models. */
    private static final class Holder {
        final GenerationEngine engine;
        final VersionSwitch versions;
        int leases;

        private Holder(GenerationEngine engine, VersionSwitch versions) {
            this.engine = engine;
            this.versions = versions;
        }

        static Holder load(EngineSpec spec) throws IOException {
            // PyTorch reads its thread count once, when the engine first loads in this JVM; later specs cannot change it.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(spec.threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            if (System.getProperty("ai.djl.offline") == null) {
                System.setProperty("ai.djl.offline", "true");
            }
            long started = System.nanoTime();
            Device device = DeviceSelection.resolve(spec.device());
            DataType dtype = spec.precision().dataType();
            HoVLEModel model = HoVLEModel.load(Path.of(spec.modelDir()), device, dtype);
            try {
                GenerationEngine engine = spec.factory().create(model, spec.modelVersion());
                LOG.info("loaded {} ({}) on {} in {} ms", spec.modelDir(), spec.modelVersion(), spec.device(),
                        (System.nanoTime() - started) / 1_000_000);
                return new Holder(engine, new VersionSwitch(engine, model, spec.modelVersion(), device, dtype));
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }
}
