package dev.hovle.operators.serving;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a shared engine stands between model versions, as an immutable value: the version serving, a loaded model
 * handed to the engine but not swapped in yet, the version last asked for with the sequence of that ask, and the
 * highest sequence seen. Each event returns the next state and the one action it calls for; {@link VersionSwitch}
 * carries the actions out (loads, swaps, frees). Generic in the model type, so the rules are tested without one.
 *
 * <pre>
 *   ask(v) ──► Load(v) ──loaded──► SwapIn(v) ──swappedIn──► serving v   (previous model freed)
 *                  └─loadFailed──►  wanted returns to the serving version ◄──swapFailed──┘
 * </pre>
 *
 * Asks are ordered by sequence (the position of the update that decided them) and idempotent per version: an ask
 * at or below the highest sequence seen, or for the version already wanted, changes nothing; only the latest ask's
 * load may swap in. A model is freed once nothing can bring it back: never the serving one, nor one handed over.
 *
 * @param <M> the model type
 * @param serving the model the engine serves
 * @param servingVersion its version
 * @param handedOver a model given to the engine whose swap has not applied yet, or null
 * @param wanted the version last asked for (the serving one when nothing is on its way)
 * @param wantedSequence the sequence of that ask
 * @param latestSequence the highest sequence seen
 * @param closed whether the switch stopped: no more loads or swaps
 */
record VersionState<M>(M serving, String servingVersion, M handedOver, String wanted, long wantedSequence,
        long latestSequence, boolean closed) {

    /** What an event calls for. */
    sealed interface Action<M> {}

    /** Nothing to do. */
    record Nothing<M>() implements Action<M> {}

    /** Load {@code version} off the task threads, for the ask numbered {@code sequence}. */
    record Load<M>(String version, long sequence) implements Action<M> {}

    /** Hand {@code model} to the engine to swap in as {@code version}, for the ask numbered {@code sequence}. */
    record SwapIn<M>(M model, String version, long sequence) implements Action<M> {}

    /** Free {@code model}: no state refers to it any more. */
    record Close<M>(M model) implements Action<M> {}

    /** The next state and what to do. */
    record Step<M>(VersionState<M> next, Action<M> action) {}

    /** An engine serving {@code model} as {@code version}, nothing asked yet. */
    static <M> VersionState<M> serving(M model, String version) {
        return new VersionState<>(model, version, null, version, Long.MIN_VALUE, Long.MIN_VALUE, false);
    }

    /** Whether the ask numbered {@code sequence} is still the one to carry out. */
    boolean wants(long sequence) {
        return !closed && sequence == wantedSequence;
    }

    /** An update numbered {@code sequence} asks for {@code version}. */
    Step<M> ask(String version, long sequence) {
        if (closed || sequence <= latestSequence) {
            return new Step<>(this, new Nothing<>());
        }
        VersionState<M> seen = new VersionState<>(serving, servingVersion, handedOver, wanted, wantedSequence,
                sequence, false);
        if (version.equals(wanted)) {
            return new Step<>(seen, new Nothing<>()); // serving it, or on its way
        }
        if (version.equals(servingVersion)) {
            // Back to the serving version while another is on its way: a load in flight finds itself unwanted; a
            // swap waiting for running requests is superseded by swapping the serving model in again.
            M reinstate = handedOver != null ? serving : null;
            VersionState<M> next = new VersionState<>(serving, servingVersion, reinstate, version, sequence, sequence,
                    false);
            return new Step<>(next, reinstate != null ? new SwapIn<>(serving, version, sequence) : new Nothing<>());
        }
        return new Step<>(new VersionState<>(serving, servingVersion, handedOver, version, sequence, sequence, false),
                new Load<>(version, sequence));
    }

    /** The load for the ask numbered {@code sequence} produced {@code model}. */
    Step<M> loaded(long sequence, String version, M model) {
        if (!wants(sequence)) {
            return new Step<>(this, new Close<>(model)); // a later ask replaced it while it loaded
        }
        return new Step<>(new VersionState<>(serving, servingVersion, model, wanted, wantedSequence, latestSequence,
                false), new SwapIn<>(model, version, sequence));
    }

    /** The load for the ask numbered {@code sequence} failed: a later update may ask for that version again. */
    VersionState<M> loadFailed(long sequence) {
        return sequence == wantedSequence ? backToServing() : this;
    }

    /** The engine swapped {@code model} in as {@code version}, retiring {@code previous}. */
    Step<M> swappedIn(M model, String version, M previous) {
        M pending = handedOver == model ? null : handedOver;
        VersionState<M> next = new VersionState<>(model, version, pending, wanted, wantedSequence, latestSequence,
                closed);
        return new Step<>(next, previous != model && previous != pending ? new Close<>(previous) : new Nothing<>());
    }

    /** The swap of {@code model} for the ask numbered {@code sequence} failed (another shape, or superseded). */
    Step<M> swapFailed(long sequence, M model) {
        M pending = handedOver == model ? null : handedOver;
        VersionState<M> next = new VersionState<>(serving, servingVersion, pending, wanted, wantedSequence,
                latestSequence, closed);
        if (sequence == wantedSequence) {
            next = next.backToServing();
        }
        return new Step<>(next, model != serving && model != pending ? new Close<>(model) : new Nothing<>());
    }

    /** Stops: later asks and loads do nothing. */
    VersionState<M> close() {
        return new VersionState<>(serving, servingVersion, handedOver, wanted, wantedSequence, latestSequence, true);
    }

    /** The models to free once the engine has stopped: the serving one and one still handed over. */
    List<M> models() {
        List<M> models = new ArrayList<>();
        if (handedOver != null && handedOver != serving) {
            models.add(handedOver);
        }
        models.add(serving);
        return models;
    }

    private VersionState<M> backToServing() {
        return new VersionState<>(serving, servingVersion, handedOver, servingVersion, wantedSequence, latestSequence,
                closed);
    }
}
