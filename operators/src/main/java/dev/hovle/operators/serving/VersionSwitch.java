package dev.hovle.operators.serving;

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
 * Moves one shared engine from version to version by carrying out what {@link VersionState} decides: each model
 * loads on a background thread, one at a time, and the engine swaps it in between decode steps. Every slot of a
 * TaskManager sees every update, so asks arrive several times and out of step: the state's ordering makes the first
 * slot's ask start the load and keeps a lagging slot from switching back.
 *
 * <p>Owns the models: the serving one, and one handed to the engine but not yet swapped in.
 */
final class VersionSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(VersionSwitch.class);

    private final GenerationEngine engine;
    private final Device device;
    private final DataType dtype;
    private final ExecutorService loader;
    private VersionState<HoVLEModel> state;
    /** The outcome of the newest load started: done once the engine serves it, or serves on without it. */
    private CompletableFuture<Void> newestLoad = CompletableFuture.completedFuture(null);

    VersionSwitch(GenerationEngine engine, HoVLEModel initial, String initialVersion, Device device, DataType dtype) {
        this.engine = engine;
        this.state = VersionState.serving(initial, initialVersion);
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
        VersionState.Step<HoVLEModel> step = state.ask(version, sequence);
        state = step.next();
        if (step.action() instanceof VersionState.Load<HoVLEModel> asked) {
            CompletableFuture<Void> outcome = new CompletableFuture<>();
            newestLoad = outcome;
            loader.execute(() -> load(asked, load, outcome));
            return Optional.of(outcome);
        }
        if (step.action() instanceof VersionState.SwapIn<HoVLEModel> reinstate) {
            swapIn(reinstate, new CompletableFuture<>());
        }
        return Optional.empty();
    }

    private void load(VersionState.Load<HoVLEModel> asked, SharedEngine.ModelLoader load,
            CompletableFuture<Void> outcome) {
        synchronized (this) {
            if (!state.wants(asked.sequence())) {
                outcome.complete(null); // a later ask replaced this one before its turn came
                return;
            }
        }
        long started = System.nanoTime();
        HoVLEModel model;
        try {
            model = load.load(device, dtype);
        } catch (Exception | Error e) {
            synchronized (this) {
                state = state.loadFailed(asked.sequence());
            }
            outcome.completeExceptionally(e);
            return;
        }
        VersionState.Step<HoVLEModel> step;
        synchronized (this) {
            step = state.loaded(asked.sequence(), asked.version(), model);
            state = step.next();
        }
        if (step.action() instanceof VersionState.SwapIn<HoVLEModel> swap) {
            LOG.info("loaded model version {} in {} ms; swapping it in", asked.version(),
                    (System.nanoTime() - started) / 1_000_000);
            swapIn(swap, outcome);
        } else {
            carryOut(step.action());
            outcome.complete(null);
        }
    }

    private void swapIn(VersionState.SwapIn<HoVLEModel> swap, CompletableFuture<Void> outcome) {
        engine.swapModel(swap.model(), swap.version())
                .whenComplete((previous, error) -> swapped(swap, previous, error, outcome));
    }

    /** Runs on the engine's thread once a swap applied, or failed (another shape, or superseded by a later swap). */
    private synchronized void swapped(VersionState.SwapIn<HoVLEModel> swap, HoVLEModel previous, Throwable error,
            CompletableFuture<Void> outcome) {
        if (error != null) {
            boolean stillWanted = swap.sequence() == state.wantedSequence();
            VersionState.Step<HoVLEModel> step = state.swapFailed(swap.sequence(), swap.model());
            state = step.next();
            carryOut(step.action());
            if (stillWanted) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(null);
            }
            return;
        }
        VersionState.Step<HoVLEModel> step = state.swappedIn(swap.model(), swap.version(), previous);
        state = step.next();
        carryOut(step.action());
        outcome.complete(null);
    }

    private static void carryOut(VersionState.Action<HoVLEModel> action) {
        if (action instanceof VersionState.Close<HoVLEModel> close) {
            close.model().close();
        }
    }

    /** See {@link SharedEngine#settled}. */
    synchronized CompletableFuture<Void> settled() {
        return newestLoad.handle((done, failed) -> null);
    }

    /** Stops loading; call before closing the engine. */
    synchronized void stopLoading() {
        state = state.close();
        loader.shutdownNow();
    }

    /** Frees the models once the engine is closed (its worker, which runs the swap callbacks, has stopped). */
    synchronized void closeModels() {
        state.models().forEach(HoVLEModel::close);
    }
}
