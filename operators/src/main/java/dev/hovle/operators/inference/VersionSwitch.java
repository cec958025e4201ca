package dev.hovle.operators.inference;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.generate.GenerationEngine;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one shared engine from version to version: each model loads on a background thread, one at a time, and the
 * engine swaps it in between decode steps. Requests are ordered by the position of the update that decided them
 * and idempotent per version, because every slot of a TaskManager sees every update: the first slot to ask starts
 * the load, and a slot that lags behind cannot switch back to a version that a later update has replaced.
 *
 * <p>Owns the models: the serving one, and one handed to the engine but not yet swapped in.
 */
final class VersionSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(VersionSwitch.class);

    private final GenerationEngine engine;
    private final Device device;
    private final DataType dtype;
    private final ExecutorService loader;
    private HoVLEModel serving;
    private String servingVersion;
    private HoVLEModel handedOver;
    /** The version last asked for, and the sequence of that request: only its load may swap in. */
    private String requested;
    private long requestedSequence = Long.MIN_VALUE;
    private long latestSequence = Long.MIN_VALUE;
    private boolean closed;

    VersionSwitch(GenerationEngine engine, HoVLEModel initial, String initialVersion, Device device, DataType dtype) {
        this.engine = engine;
        this.serving = initial;
        this.servingVersion = initialVersion;
        this.requested = initialVersion;
        this.device = device;
        this.dtype = dtype;
        this.loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hovle-model-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** See {@link SharedEngine#serve}. */
    synchronized Optional<CompletableFuture<Void>> serve(String version, long sequence, SharedEngine.ModelLoader load) {
        if (closed || sequence <= latestSequence) {
            return Optional.empty();
        }
        latestSequence = sequence;
        if (version.equals(requested)) {
            return Optional.empty();
        }
        requested = version;
        requestedSequence = sequence;
        if (version.equals(servingVersion)) {
            if (handedOver != null) {
                // A swap to another version is still waiting for running requests: supersede it with the serving model.
                HoVLEModel model = serving;
                handedOver = model;
                engine.swapModel(model, version).whenComplete((previous, error) -> swapped(sequence, version, model,
                        previous, error, new CompletableFuture<>()));
            }
            return Optional.empty();
        }
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        loader.execute(() -> load(sequence, version, load, outcome));
        return Optional.of(outcome);
    }

    private void load(long sequence, String version, SharedEngine.ModelLoader load, CompletableFuture<Void> outcome) {
        if (!stillWanted(sequence)) {
            outcome.complete(null); // a later request replaced this one before its turn came
            return;
        }
        long started = System.nanoTime();
        HoVLEModel model;
        try {
            model = load.load(device, dtype);
        } catch (Exception | Error e) {
            synchronized (this) {
                if (sequence == requestedSequence) {
                    requested = servingVersion; // so that a later update may ask for this version again
                }
            }
            outcome.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            if (!stillWanted(sequence)) {
                model.close();
                outcome.complete(null);
                return;
            }
            handedOver = model;
        }
        LOG.info("loaded model version {} in {} ms; swapping it in", version, (System.nanoTime() - started) / 1_000_000);
        engine.swapModel(model, version).whenComplete((previous, error) -> swapped(sequence, version, model, previous,
                error, outcome));
    }

    private synchronized boolean stillWanted(long sequence) {
        return !closed && sequence == requestedSequence;
    }

    /**
     * Runs on the engine's thread once a swap applied, or failed (another shape, or superseded by a later swap). A
     * model is closed once no swap can bring it back: never the serving one, nor the one a pending swap installs.
     */
    private synchronized void swapped(long sequence, String version, HoVLEModel model, HoVLEModel previous,
            Throwable error, CompletableFuture<Void> outcome) {
        if (handedOver == model) {
            handedOver = null;
        }
        if (error != null) {
            if (model != serving && model != handedOver) {
                model.close();
            }
            if (sequence == requestedSequence) {
                requested = servingVersion;
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(null);
            }
            return;
        }
        serving = model;
        servingVersion = version;
        if (previous != model && previous != handedOver) {
            previous.close();
        }
        outcome.complete(null);
    }

    /** Stops loading; call before closing the engine. */
    synchronized void stopLoading() {
        closed = true;
        loader.shutdownNow();
    }

    /** Frees the models once the engine is closed (its worker, which runs the swap callbacks, has stopped). */
    synchronized void closeModels() {
        if (handedOver != null && handedOver != serving) {
            handedOver.close();
        }
        handedOver = null;
        serving.close();
    }
}
