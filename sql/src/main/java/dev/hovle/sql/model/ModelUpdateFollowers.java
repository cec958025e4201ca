package dev.hovle.sql.model;

import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.SharedEngine;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The followers of this JVM: one {@link ModelUpdateFollower} per shared engine, however many subtasks and queries
 * lease that engine, since every follower would read the same topic and ask the same swaps. Reference counted like
 * {@link SharedEngine}: the first predict function that follows starts it, the last one to leave stops it.
 */
final class ModelUpdateFollowers {
    private static final Map<EngineSpec, Shared> FOLLOWERS = new HashMap<>();

    private ModelUpdateFollowers() {}

    /**
     * Joins the follower of {@code engine}, starting it if none runs.
     *
     * @throws IllegalStateException when the engine already follows other updates: two followers with unrelated
     *     offsets would swap one engine back and forth
     */
    static Membership join(EngineSpec engine, ModelUpdatesSettings settings) throws IOException {
        synchronized (FOLLOWERS) {
            Shared shared = FOLLOWERS.get(engine);
            if (shared == null) {
                shared = new Shared(settings, ModelUpdateFollower.start(engine, settings));
                FOLLOWERS.put(engine, shared);
            } else if (!shared.settings.equals(settings)) {
                throw new IllegalStateException("cannot follow " + settings.describe() + ": the engine of "
                        + engine.modelDir() + " (version " + engine.modelVersion() + ") already follows "
                        + shared.settings.describe() + " with other model-updates options; models that share an "
                        + "engine (equal model.dir, model.version and engine.* options) must follow the same updates "
                        + "with the same options");
            }
            shared.members++;
            return new Membership(engine, shared);
        }
    }

    /** Followers running for {@code engine} in this JVM: 0 or 1. */
    static int running(EngineSpec engine) {
        synchronized (FOLLOWERS) {
            return FOLLOWERS.containsKey(engine) ? 1 : 0;
        }
    }

    private static final class Shared {
        final ModelUpdatesSettings settings;
        final ModelUpdateFollower follower;
        int members;

        Shared(ModelUpdatesSettings settings, ModelUpdateFollower follower) {
            this.settings = settings;
            this.follower = follower;
        }
    }

    /** One predict function's part in a follower; closing the last one stops it. */
    static final class Membership implements AutoCloseable {
        private final EngineSpec engine;
        private final Shared shared;
        private final AtomicBoolean left = new AtomicBoolean();

        private Membership(EngineSpec engine, Shared shared) {
            this.engine = engine;
            this.shared = shared;
        }

        ModelUpdateFollower follower() {
            return shared.follower;
        }

        @Override
        public void close() {
            if (!left.compareAndSet(false, true)) {
                return;
            }
            synchronized (FOLLOWERS) {
                if (--shared.members > 0) {
                    return;
                }
                FOLLOWERS.remove(engine);
            }
            // Outside the lock: stopping waits for the reader thread, and other engines' functions must not wait.
            shared.follower.close();
        }
    }
}
