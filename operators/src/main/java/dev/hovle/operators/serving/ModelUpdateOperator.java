package dev.hovle.operators.serving;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the model-updates topic in front of the generate operator. Requests (the first input) pass through
 * untouched; updates (the second input, broadcast, so every subtask sees all of them in order) go through {@link
 * ModelVersions}, and when the version to serve changes, the TaskManager's {@link SharedEngine} loads it in the
 * background (fetch, verify checksums, load) and swaps it in between decode steps, losing no request.
 *
 * <p>A custom operator rather than a {@code BroadcastProcessFunction}: a load finishes on another thread, and only an
 * operator can come back to the task thread (a processing-time timer) to emit the MODEL_UPDATE_REFUSED dead letter
 * of a checkpoint that failed its checks while no record arrives. Refusals decided from the updates alone are the
 * same in every subtask, so subtask 0 reports them; a refused load is reported by the subtask that started it, once
 * per TaskManager.
 *
 * <p>Known versions and the chosen one live in broadcast state, so a restored job serves what it served; the updates
 * source reads from the earliest offset, so a fresh job learns it too. Chain this operator to the generate operator
 * (same parallelism), so every TaskManager that generates also follows. Built with {@link #builder()}.
 *
 * @param <T> the requests passing through
 */
public final class ModelUpdateOperator<T> extends AbstractStreamOperator<T>
        implements TwoInputStreamOperator<T, SourceRecord, T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateOperator.class);
    private static final MapStateDescriptor<String, ModelUpdate> KNOWN_VERSIONS = new MapStateDescriptor<>(
            "known-model-versions", Types.STRING, TypeInformation.of(ModelUpdate.class));
    private static final MapStateDescriptor<String, ServingChoice> CHOSEN_VERSION = new MapStateDescriptor<>(
            "chosen-model-version", Types.STRING, TypeInformation.of(ServingChoice.class));
    /** How often the task thread looks at loads under way; only while there are some. */
    private static final long POLL_MILLIS = 100;
    /** The longest a restored task waits for its version before it serves what is loaded. */
    private static final Duration RESTORE_WAIT = Duration.ofMinutes(2);

    private final EngineSpec engine;
    private final VersionPolicy policy;
    private final String cacheDir;
    private final ModelStore.FetchLimits fetchLimits;

    private transient EventCodec<ModelUpdate> codec;
    private transient BroadcastState<String, ModelUpdate> knownState;
    private transient BroadcastState<String, ServingChoice> chosenState;
    private transient ModelVersions versions;
    private transient SharedEngine lease;
    private transient DeadLetterCounters deadLetters;
    private transient List<Load> loads;
    private transient boolean polling;

    private ModelUpdateOperator(Builder b) {
        this.engine = b.engine;
        this.policy = new VersionPolicy(b.modelName, b.engine.modelVersion(), b.engine.modelDir(), b.pinnedVersion);
        this.cacheDir = b.cacheDir;
        this.fetchLimits = b.fetchLimits;
    }

    /** A builder; the engine spec is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        knownState = context.getOperatorStateStore().getBroadcastState(KNOWN_VERSIONS);
        chosenState = context.getOperatorStateStore().getBroadcastState(CHOSEN_VERSION);
        List<ModelUpdate> known = new ArrayList<>();
        knownState.entries().forEach(e -> known.add(e.getValue()));
        versions = ModelVersions.restore(policy, known, chosenState.get(policy.modelName()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        codec = EventCodec.of(ModelUpdate.class);
        deadLetters = new DeadLetterCounters(getMetricGroup());
        getMetricGroup().addGroup("hovle").addGroup("model").gauge("chosenVersion",
                (Gauge<String>) () -> versions.choice().version());
        loads = new ArrayList<>();
        lease = SharedEngine.acquire(engine);
        // A restored job goes back to the version it had chosen (a fresh one asks for the configured snapshot: a no-op).
        ServingChoice choice = versions.choice();
        load(versions.target(), new SourceRecord(choice.topic() == null ? "(configuration)" : choice.topic(),
                choice.partition(), choice.offset(), key(), null));
        if (choice.topic() != null) {
            awaitRestoredVersion(versions.target().version());
        }
    }

    /**
     * Holds the task until the restored version serves: the engine starts on the configured snapshot, and the requests
     * this task passes on would otherwise be answered by it, a version the job had left, until the restored one is
     * loaded again. Every request passes through this operator on its way to the engine, so blocking here holds them
     * all. Ends when the engine's newest load has ended (served, or failed: then what is loaded serves), at most
     * after {@link #RESTORE_WAIT}.
     */
    private void awaitRestoredVersion(String version) throws InterruptedException, ExecutionException {
        try {
            lease.settled().get(RESTORE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("restored model version {} not loaded within {}", version, RESTORE_WAIT);
        }
        if (!version.equals(lease.engine().modelVersion())) {
            LOG.warn("restored model version {} is not serving; {} serves meanwhile", version,
                    lease.engine().modelVersion());
        }
    }

    @Override
    public void processElement1(StreamRecord<T> request) {
        output.collect(request);
    }

    @Override
    public void processElement2(StreamRecord<SourceRecord> element) throws Exception {
        SourceRecord record = element.getValue();
        if (record.value() == null) {
            return; // a tombstone of a compacted updates topic says nothing about serving
        }
        boolean reporter = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        ModelUpdate update;
        try {
            update = codec.decode(record.value());
        } catch (EventDecodingException e) {
            if (reporter) {
                deadLetter(record, e.errorType(), PipelineStage.DECODE, "model update " + record + ": " + e.getMessage());
            }
            return;
        }
        VersionDecision decision = versions.apply(update, record.topic(), record.partition(), record.offset());
        ModelUpdate known = versions.known(update.getVersion());
        if (known != null && update.getModelName().equals(policy.modelName())) {
            knownState.put(update.getVersion(), known);
        }
        chosenState.put(policy.modelName(), versions.choice());
        if (decision instanceof VersionDecision.Serve serve) {
            LOG.info("model update {} ({} {}): serving {}", record, update.getVersion(), update.getStatus(),
                    serve.target().version());
            load(serve.target(), record);
        } else if (decision instanceof VersionDecision.Refuse refuse) {
            LOG.warn("model update {} refused: {}", record, refuse.why());
            if (reporter) {
                // The cause first: readers such as hovle tail clip long messages (the record says where it came from).
                deadLetter(record, ErrorType.MODEL_UPDATE_REFUSED, PipelineStage.MODEL_UPDATE, update.getStatus() + " "
                        + update.getVersion() + " refused: " + refuse.why());
            }
        } else if (decision instanceof VersionDecision.Keep keep) {
            LOG.debug("model update {}: {}", record, keep.why());
        }
    }

    /** Asks the shared engine for {@code target}; the subtask whose call starts the load watches its outcome. */
    private void load(ServingTarget target, SourceRecord decidedBy) {
        SharedEngine.ModelLoader loader = CheckpointLoader.of(target, CheckpointLoader.cacheDir(cacheDir), fetchLimits);
        lease.serve(target.version(), decidedBy.offset(), loader)
                .ifPresent(outcome -> {
                    loads.add(new Load(target.version(), decidedBy, outcome));
                    pollLoads();
                });
    }

    private void pollLoads() {
        if (polling) {
            return;
        }
        polling = true;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + POLL_MILLIS, time -> {
            polling = false;
            for (Iterator<Load> it = loads.iterator(); it.hasNext(); ) {
                Load load = it.next();
                if (load.outcome().isDone()) {
                    it.remove();
                    reportIfRefused(load);
                }
            }
            if (!loads.isEmpty()) {
                pollLoads();
            }
        });
    }

    private void reportIfRefused(Load load) {
        try {
            load.outcome().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String serving = lease.engine().modelVersion();
            LOG.warn("model version {} refused; still serving {}", load.version(), serving, cause);
            deadLetter(load.decidedBy(), ErrorType.MODEL_UPDATE_REFUSED, PipelineStage.MODEL_UPDATE, "version "
                    + load.version() + " refused: " + cause.getMessage() + "; still serving " + serving);
        }
    }

    private void deadLetter(SourceRecord record, ErrorType type, PipelineStage stage, String message) {
        output.collect(DeadLetters.TAG, new StreamRecord<>(deadLetters.counted(DeadLetters.of(record, type, stage,
                message, lease.engine().modelVersion()))));
    }

    private byte[] key() {
        return policy.modelName().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        if (lease != null) {
            lease.close();
        }
        super.close();
    }

    /** A load this subtask started, and the update that asked for it. */
    private record Load(String version, SourceRecord decidedBy, CompletableFuture<Void> outcome) {}

    /** Builds a {@link ModelUpdateOperator}. */
    /** Fetch limits that allow no store: every stored version is refused. */
    private static final ModelStore.FetchLimits NO_STORE = ModelStore.FetchLimits.under(List.of(),
            "hovle.model-updates.uri-prefixes", 1);

    public static final class Builder {
        private EngineSpec engine;
        private String modelName = "hovle";
        private String pinnedVersion;
        private String cacheDir;
        private ModelStore.FetchLimits fetchLimits = NO_STORE;

        private Builder() {}

        /**
         * The engine whose model versions this operator switches (required): the generate operator's spec, so both
         * lease the same shared engine. Its snapshot and version are the root of the lineage.
         */
        public Builder setEngine(EngineSpec value) {
            this.engine = value;
            return this;
        }

        /** The model line to follow: updates keyed by another name are ignored (default {@code hovle}). */
        public Builder optModelName(String value) {
            this.modelName = value;
            return this;
        }

        /** A version to serve once its update is seen, ignoring promotions and rollbacks (default: none). */
        public Builder optPinnedVersion(String value) {
            this.pinnedVersion = value;
            return this;
        }

        /**
         * Where checkpoints named by updates may be fetched from, and how large they may be (default: nowhere, so
         * only the configured snapshot serves; an update naming any other URI is refused unopened).
         */
        public Builder optFetchLimits(ModelStore.FetchLimits value) {
            this.fetchLimits = value;
            return this;
        }

        /** Local directory for checkpoints being fetched (default: {@code hovle-model-cache} in the temp folder). */
        public Builder optCacheDir(String value) {
            this.cacheDir = value;
            return this;
        }

        public <T> ModelUpdateOperator<T> build() {
            if (engine == null) {
                throw new IllegalStateException("ModelUpdateOperator needs setEngine: the generate operator's "
                        + "EngineSpec");
            }
            if (modelName == null || modelName.isBlank()) {
                throw new IllegalStateException("ModelUpdateOperator needs a model name (optModelName)");
            }
            return new ModelUpdateOperator<>(this);
        }
    }
}
