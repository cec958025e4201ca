package dev.hovle.operators.inference;

import dev.hovle.model.DeviceSelection;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on the one engine (and model) of this JVM for an {@link EngineSpec}: the slots of a TaskManager share the
 * native weights and the engine's batch instead of loading a model each. Reference counted: the first lease loads,
 * the last {@link #close()} stops the engine and frees the model.
 *
 * <p>Lifecycle: acquire in a function's {@code open()}, close in its {@code close()}.
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

    /** The shared model (for its configuration; never close it). */
    public HoVLEModel model() {
        return holder.model;
    }

    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        synchronized (HOLDERS) {
            if (--holder.leases == 0) {
                HOLDERS.remove(spec);
                holder.engine.close();
                holder.model.close();
                LOG.info("closed the engine for {}", spec.modelDir());
            }
        }
    }

    /** The engine and model behind the leases of one spec. */
    private static final class Holder {
        final HoVLEModel model;
        final GenerationEngine engine;
        int leases;

        private Holder(HoVLEModel model, GenerationEngine engine) {
            this.model = model;
            this.engine = engine;
        }

        static Holder load(EngineSpec spec) throws IOException {
            // PyTorch reads its thread count once, when the engine first loads in this JVM; later specs cannot change it.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(spec.threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            if (System.getProperty("ai.djl.offline") == null) {
                System.setProperty("ai.djl.offline", "true");
            }
            long started = System.nanoTime();
            HoVLEModel model = HoVLEModel.load(Path.of(spec.modelDir()), DeviceSelection.resolve(spec.device()),
                    spec.precision().dataType());
            try {
                GenerationEngine engine = spec.factory().create(model, spec.modelVersion());
                LOG.info("loaded {} ({}) on {} in {} ms", spec.modelDir(), spec.modelVersion(), spec.device(),
                        (System.nanoTime() - started) / 1_000_000);
                return new Holder(model, engine);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }
}
