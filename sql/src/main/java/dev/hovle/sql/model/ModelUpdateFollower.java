package dev.hovle.sql.model;

import dev.hovle.operators.serving.CheckpointLoader;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.ModelVersions;
import dev.hovle.operators.serving.ServingTarget;
import dev.hovle.operators.serving.SharedEngine;
import dev.hovle.operators.serving.VersionDecision;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the model-updates topic for one shared engine, as the DataStream job's {@code ModelUpdateOperator} does,
 * for a query whose {@code ML_PREDICT} has no second input to broadcast updates on: a daemon thread reads the topic
 * {@code read_committed} from its earliest offset, decides through {@link ModelVersions}, and hands a version to serve
 * to {@link SharedEngine#serve}, which fetches and verifies it ({@link CheckpointLoader}) off the engine's thread and
 * swaps it in between decode steps.
 *
 * <p>SQL has no dead-letter topic: an update it will not follow (refused by the version rules, undecodable, or a
 * checkpoint that fails its checks) keeps the serving version, is logged at WARN with its topic, partition and offset,
 * and is counted in {@link #refusedUpdates}, which the predict functions export as a metric.
 *
 * <p>Holds its own lease on the engine, so the engine outlives the follower; {@link ModelUpdateFollowers} starts one
 * per engine and closes it with the last predict function that follows.
 */
final class ModelUpdateFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** Pause after a failed poll (broker gone, authorization): keep trying without flooding the log. */
    private static final long RETRY_MILLIS = 5_000;

    private final ModelUpdatesSettings settings;
    private final SharedEngine lease;
    private final ModelVersions versions;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventCodec<ModelUpdate> codec = EventCodec.of(ModelUpdate.class);
    private final Path cacheDir;
    private final AtomicLong refused = new AtomicLong();
    private final Thread thread;
    /** Counted down by {@link #close}: ends the loop and a retry pause (an interrupt would fail Kafka's close). */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile String chosenVersion;

    private ModelUpdateFollower(EngineSpec engine, ModelUpdatesSettings settings, SharedEngine lease) {
        this.settings = settings;
        this.lease = lease;
        this.versions = ModelVersions.start(settings.policy(engine));
        this.chosenVersion = versions.choice().version();
        this.cacheDir = CheckpointLoader.cacheDir(settings.cacheDir());
        this.consumer = consumer(settings);
        this.thread = new Thread(this::run, "hovle-model-updates-" + settings.topic());
        thread.setDaemon(true);
    }

    /** Leases {@code engine} and starts following the updates {@code settings} name. */
    static ModelUpdateFollower start(EngineSpec engine, ModelUpdatesSettings settings) throws IOException {
        SharedEngine lease = SharedEngine.acquire(engine);
        try {
            ModelUpdateFollower follower = new ModelUpdateFollower(engine, settings, lease);
            follower.thread.start();
            LOG.info("following {} for the engine of {}", settings.describe(), engine.modelDir());
            return follower;
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The version the updates chose; differs from the engine's while it loads, or after its checkpoint was refused. */
    String chosenVersion() {
        return chosenVersion;
    }

    /** Updates not followed so far: refused by the version rules, undecodable, or naming a checkpoint that failed. */
    long refusedUpdates() {
        return refused.get();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(ModelUpdatesSettings settings) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumerProperties(
                "hovle-sql-model-updates-" + UUID.randomUUID()));
        consumer.subscribe(List.of(settings.topic()));
        return consumer;
    }

    private void run() {
        try {
            while (stopping.getCount() > 0) {
                try {
                    consumer.poll(POLL).forEach(this::follow);
                } catch (WakeupException e) {
                    break;
                } catch (RuntimeException e) {
                    LOG.warn("cannot read {}; still serving {}, retrying", settings.describe(),
                            lease.engine().modelVersion(), e);
                    stopping.await(RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    private void follow(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone of a compacted updates topic says nothing about serving
        }
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        ModelUpdate update;
        try {
            update = codec.decode(record.value());
        } catch (EventDecodingException e) {
            refuse("model update " + where + " is not a ModelUpdate: " + e.getMessage());
            return;
        }
        VersionDecision decision = versions.apply(update, record.topic(), record.partition(), record.offset());
        chosenVersion = versions.choice().version();
        if (decision instanceof VersionDecision.Serve serve) {
            LOG.info("model update {} ({} {}): serving {}", where, update.getVersion(), update.getStatus(),
                    serve.target().version());
            serve(serve.target(), record.offset(), where);
        } else if (decision instanceof VersionDecision.Refuse refuse) {
            refuse("model update " + where + " refused: " + update.getStatus() + " " + update.getVersion() + ": "
                    + refuse.why());
        } else if (decision instanceof VersionDecision.Keep keep) {
            LOG.debug("model update {}: {}", where, keep.why());
        }
    }

    /** Asks the engine for {@code target}; a checkpoint refused while it loads leaves the serving version in place. */
    private void serve(ServingTarget target, long offset, String where) {
        lease.serve(target.version(), offset, CheckpointLoader.of(target, cacheDir, settings.fetchLimits()))
                .ifPresent(outcome -> outcome.whenComplete((ignored, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        refuse("model update " + where + " refused: version " + target.version() + ": "
                                + cause.getMessage() + "; still serving " + lease.engine().modelVersion());
                    }
                }));
    }

    private void refuse(String message) {
        refused.incrementAndGet();
        LOG.warn(message);
    }

    /** Stops reading and returns the engine lease; a load under way finishes or stops with the engine. */
    @Override
    public void close() {
        stopping.countDown();
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the follower of {} did not stop within 30 s", settings.describe());
        }
        lease.close();
    }
}
