package dev.hovle.operators.training;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.WeightMode;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.train.Batch;
import dev.hovle.model.train.EncodedSample;
import dev.hovle.model.train.EvalReport;
import dev.hovle.model.train.Evaluator;
import dev.hovle.model.train.Objective;
import dev.hovle.model.train.RunSettings;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.model.train.Stage;
import dev.hovle.model.train.StepResult;
import dev.hovle.model.train.Trainer;
import dev.hovle.model.train.TrainingCheckpoint;
import dev.hovle.operators.metrics.TrainingGauges;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.operators.training.TrainerProgress.ServingVersion;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the model on the sample stream and proposes versions through the gate. Runs with parallelism 1: one
 * trainer owns the weights.
 *
 * <p>TRAIN samples gather until an optimizer step's worth ({@code batch x accumulation}) has arrived, then the step
 * runs. The first {@code evalSamples} EVAL samples become the gate's fixed held-out set, so every version is scored
 * on the same data. Every {@code versionInterval} steps (once the held-out set is full) the trainer scores its
 * weights, writes a checkpoint in the released layout plus optimizer state to the model store, emits a CANDIDATE
 * update, and then the gate's verdict: PROMOTED, which inference serves, or REJECTED, which it never does. Its second
 * input is the updates topic itself: when an operator rolls the serving version back, its parent is the bar again.
 *
 * <p>Exactly once: on every Flink checkpoint the trainer writes its weights, optimizer moments and step to the store
 * (when it has stepped since the last such write) and keeps that location, the samples not yet trained on and the
 * held-out set in operator state. A restart reads that store checkpoint back, so weights, optimizer and Kafka offsets
 * belong together: no sample is trained twice or skipped. Store checkpoints that no completed Flink checkpoint needs
 * any more are deleted; versions are kept.
 */
public final class TrainerFunction extends CoProcessFunction<PreparedSample, SourceRecord, ModelUpdate>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerFunction.class);
    private static final String RESUME_PREFIX = "resume-";

    private final TrainerSpec spec;

    private transient ListState<TrainerProgress> progressState;
    private transient ListState<PreparedSample> pendingState;
    private transient ListState<PreparedSample> heldOutState;
    private transient TrainerProgress progress;
    private transient List<PreparedSample> pending;
    private transient List<PreparedSample> heldOut;
    /** Resume points written at checkpoints not yet known complete, by checkpoint id. */
    private transient TreeMap<Long, String> resumeByCheckpoint;

    private transient Path workDir;
    private transient ModelStore store;
    private transient HoVLEModel model;
    private transient HoVLETokenizer tokenizer;
    private transient Trainer trainer;
    private transient SampleEncoder encoder;
    private transient TrainingGauges gauges;
    private transient EventCodec<ModelUpdate> updates;

    /** A trainer configured by {@code spec}. */
    public TrainerFunction(TrainerSpec spec) {
        this.spec = spec;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        progressState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("trainer-progress", TrainerProgress.class));
        pendingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("pending-samples", PreparedSample.class));
        heldOutState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("held-out-samples", PreparedSample.class));
        progress = null;
        for (TrainerProgress p : progressState.get()) {
            progress = p;
        }
        if (progress == null) {
            progress = TrainerProgress.start(UUID.randomUUID().toString().substring(0, 8));
        }
        pending = new ArrayList<>();
        pendingState.get().forEach(pending::add);
        heldOut = new ArrayList<>();
        heldOutState.get().forEach(heldOut::add);
        resumeByCheckpoint = new TreeMap<>();
    }

    @Override
    public void open(OpenContext context) throws IOException {
        gauges = new TrainingGauges(getRuntimeContext().getMetricGroup());
        updates = EventCodec.of(ModelUpdate.class);
        workDir = Files.createTempDirectory("hovle-trainer-" + progress.runId() + "-");
        store = ModelStore.at(spec.storeUri());
        Path start = Path.of(spec.modelDir());
        if (progress.resumeUri() != null) {
            start = ModelStore.fetch(progress.resumeUri(), progress.resumeChecksums(), workDir.resolve("resumed"),
                    store.fetchLimits(Long.MAX_VALUE)); // its own resume point, in its own store
        }
        model = HoVLEModel.load(start, Device.cpu(), DataType.FLOAT32, WeightMode.TRAINING);
        if (spec.threads() > 0) {
            // Per process (and only once PyTorch is loaded, as it is now): whatever ran on this TaskManager before,
            // an inference engine say, must not decide the order of the trainer's float sums, or a resumed run
            // would not compute as the run it resumes.
            JniUtils.setNumThreads(spec.threads());
        }
        tokenizer = HoVLETokenizer.load(Path.of(spec.modelDir()));
        Stage stage = spec.optimizer().toStage(model.config().llm().transformer().numLayers());
        trainer = spec.optimizer().trainer(model).build();
        if (progress.resumeUri() != null) {
            TrainingCheckpoint.restore(start, trainer);
            ModelStore.deleteLocalCopy(start); // the weights were copied into the trainer
        }
        encoder = SampleEncoder.forModel(model.config(), tokenizer);
        gauges.stepped(Double.NaN, trainer.state().step(), trainer.state().samplesSeen(), 0, 0);
        gauges.serving(progress.serving() != null ? progress.serving().version() : spec.rootVersion());
        LOG.info("trainer {}: {} stage from {} at step {}, {} samples pending, {} held out", progress.runId(),
                stage.name(), progress.resumeUri() != null ? progress.resumeUri() : spec.modelDir(),
                trainer.state().step(), pending.size(), heldOut.size());
    }

    @Override
    public void processElement1(PreparedSample sample, Context ctx, Collector<ModelUpdate> out) throws Exception {
        if (sample.eval()) {
            if (heldOut.size() < spec.evalSamples()) {
                heldOut.add(sample);
            } else {
                gauges.evalSampleBeyondGate();
            }
        } else {
            pending.add(sample);
            if (pending.size() == spec.optimizer().samplesPerStep()) {
                step();
            }
        }
        long step = trainer.state().step();
        if (step > 0 && step - progress.lastVersionStep() >= spec.versionInterval()
                && heldOut.size() >= spec.evalSamples()) {
            proposeVersion(out);
        }
    }

    /**
     * An update of the model line from the updates topic: an operator's rollback of the serving version makes its
     * parent the gate's bar again. Everything else (this trainer's own updates coming back, other model lines,
     * records that do not decode, which the inference job dead-letters) changes nothing.
     */
    @Override
    public void processElement2(SourceRecord record, Context ctx, Collector<ModelUpdate> out) {
        ModelUpdate update;
        try {
            update = updates.decode(record.value());
        } catch (EventDecodingException e) {
            return;
        }
        if (update.getStatus() == ModelStatus.ROLLED_BACK && update.getModelName().equals(spec.modelName())) {
            progress = progress.rolledBack(update.getVersion());
            if (progress.serving() != null) {
                gauges.serving(progress.serving().version());
            }
            LOG.info("version {} rolled back; the gate now compares with {}", update.getVersion(),
                    progress.serving() == null ? spec.rootVersion() : progress.serving().version());
        }
    }

    private void step() {
        List<Batch> microBatches = new ArrayList<>();
        for (int from = 0; from < pending.size(); from += spec.optimizer().batchSize()) {
            List<EncodedSample> samples = new ArrayList<>();
            for (PreparedSample s : pending.subList(from, Math.min(pending.size(), from + spec.optimizer().batchSize()))) {
                samples.add(s.encoded());
            }
            microBatches.add(new Batch(samples));
        }
        long started = System.nanoTime();
        StepResult result = trainer.step(microBatches);
        gauges.stepped(result.loss(), trainer.state().step(), trainer.state().samplesSeen(), result.samples(),
                System.nanoTime() - started);
        pending.clear();
    }

    /** Scores the weights, stores them, and emits the candidate and the gate's verdict. */
    private void proposeVersion(Collector<ModelUpdate> out) throws IOException {
        long step = trainer.state().step();
        ServingVersion serving = progress.serving() != null ? progress.serving() : scoreRoot();
        EvalScores scores = score(model);
        String version = progress.runId() + "-" + String.format(Locale.ROOT, "%06d", step);
        ModelStore.Published published = save(version);
        ModelGate.Verdict verdict = spec.gate().judge(scores, serving.scores());
        out.collect(update(version, serving.version(), published, scores, ModelStatus.CANDIDATE, null));
        out.collect(update(version, serving.version(), published, scores,
                verdict.promote() ? ModelStatus.PROMOTED : ModelStatus.REJECTED, verdict.reason()));
        ServingVersion next = verdict.promote() ? new ServingVersion(version, serving.version(), scores) : serving;
        // A version holds weights, optimizer state and step: it is also the newest point to resume from.
        progress = progress.resumingFrom(published.uri(), published.checksums(), step).afterVersion(step, next);
        gauges.judged(scores.loss(), scores.accuracy(), verdict.promote());
        gauges.serving(next.version());
        LOG.info("version {} at step {}: {} ({})", version, step, verdict.promote() ? "PROMOTED" : "REJECTED",
                verdict.reason());
    }

    /** The starting snapshot's scores, the baseline of the first candidate. */
    private ServingVersion scoreRoot() throws IOException {
        try (HoVLEModel root = HoVLEModel.load(Path.of(spec.modelDir()), Device.cpu(), DataType.FLOAT32)) {
            ServingVersion baseline = new ServingVersion(spec.rootVersion(), null, score(root));
            progress = progress.serving(baseline);
            return baseline;
        }
    }

    private EvalScores score(HoVLEModel scored) {
        List<Sample> samples = new ArrayList<>();
        Map<String, float[]> teacher = new HashMap<>();
        for (PreparedSample s : heldOut) {
            samples.add(s.sample());
            if (s.encoded() != null) {
                teacher.put(s.sampleId(), s.encoded().teacherImageFeatures());
            }
        }
        Objective objective = trainer.stage().objective();
        SampleEncoder withTargets = teacher.isEmpty() ? encoder : encoder.withTeacher(e -> teacher.get(e.id()));
        EvalReport report = new Evaluator(scored, withTargets, objective)
                .evaluate(new HeldOutSamples(samples), samples.size(), objective == Objective.NEXT_TOKEN);
        return EvalScores.of(report, samples.size());
    }

    /** Writes a checkpoint of the trainer to the store under {@code name}. */
    private ModelStore.Published save(String name) throws IOException {
        Path dir = workDir.resolve(name);
        try {
            TrainingCheckpoint.save(dir, trainer, Path.of(spec.modelDir()), spec.runSettings());
            return store.publish(dir, name);
        } finally {
            ModelStore.deleteLocalCopy(dir);
        }
    }

    private ModelUpdate update(String version, String parent, ModelStore.Published published, EvalScores scores,
            ModelStatus status, String reason) {
        return ModelUpdate.newBuilder()
                .setModelName(spec.modelName())
                .setVersion(version)
                .setParentVersion(parent)
                .setStage(spec.stage())
                .setStep(trainer.state().step())
                .setSamplesSeen(trainer.state().samplesSeen())
                .setUri(published.uri())
                .setChecksums(new HashMap<>(published.checksums()))
                .setMetrics(new HashMap<>(scores.metrics()))
                .setStatus(status)
                .setReason(reason)
                .setTime(Instant.now())
                .build();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long step = trainer == null ? 0 : trainer.state().step();
        if (step > progress.resumeStep()) {
            String name = RESUME_PREFIX + progress.runId() + "-" + String.format(Locale.ROOT, "%06d", step);
            ModelStore.Published published = save(name);
            progress = progress.resumingFrom(published.uri(), published.checksums(), step);
        }
        if (progress.resumeUri() != null) {
            resumeByCheckpoint.put(context.getCheckpointId(), progress.resumeUri());
        }
        progressState.update(List.of(progress));
        pendingState.update(pending);
        heldOutState.update(heldOut);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws IOException {
        String needed = resumeByCheckpoint.get(checkpointId);
        if (needed == null) {
            return;
        }
        // Resume points of older checkpoints can never be restored again once a newer one completed.
        var older = resumeByCheckpoint.headMap(checkpointId, false);
        for (String uri : older.values()) {
            org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(uri);
            if (!uri.equals(needed) && !uri.equals(progress.resumeUri()) && path.getName().startsWith(RESUME_PREFIX)) {
                path.getFileSystem().delete(path, true);
            }
        }
        older.clear();
    }

    @Override
    public void close() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
        if (model != null) {
            model.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (workDir != null) {
            ModelStore.deleteLocalCopy(workDir);
        }
    }
}
