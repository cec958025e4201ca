package dev.hovle.pipeline.kafka;

import dev.hovle.operators.serving.ModelVersions;
import dev.hovle.schemas.ModelUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The model versions on a model-updates topic, as operators see them: every version merged as the inference job
 * merges it, and the one way to roll a version back (what {@code hovle models rollback} and the web page's rollback
 * button both call).
 *
 * <pre>{@code
 * ModelLine line = new ModelLine(servers, "hovle.model-updates");
 * ModelLine.RollbackOutcome outcome = line.rollback(null, "v-000150", "eval accuracy fell", Instant.now());
 * }</pre>
 */
public final class ModelLine {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String topic;

    public ModelLine(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** A version of a model line. */
    public record VersionKey(String model, String version) {}

    /** What a rollback did: published the update, found nothing to do, or refused, each with a sentence for people. */
    public sealed interface RollbackOutcome {
        /** A sentence saying what happened, for a terminal or a web page. */
        String message();

        /** The ROLLED_BACK update is on the topic at {@code written}. */
        record Published(ModelUpdate update, RecordMetadata written, String message) implements RollbackOutcome {}

        /** The version is rolled back already: nothing was written. */
        record AlreadyDone(String message) implements RollbackOutcome {}

        /** Nothing was written: no such version, an ambiguous one, or one that never served. */
        record Refused(String message) implements RollbackOutcome {}
    }

    public String topic() {
        return topic;
    }

    /**
     * Every version on the topic (read_committed, up to its current end), in the order it first appeared, merged as
     * the inference job merges them.
     *
     * @param model only this model line, or null for every model on the topic
     */
    public Map<VersionKey, ModelUpdate> read(String model) {
        Map<VersionKey, ModelUpdate> versions = new LinkedHashMap<>();
        try (EventReader<ModelUpdate> reader = EventReader.open(bootstrapServers, topic, ModelUpdate.class, true)) {
            for (EventReader.Received<ModelUpdate> r : reader.readToEnd(READ_TIMEOUT)) {
                ModelUpdate u = r.event();
                if (u != null && (model == null || model.equals(u.getModelName()))) {
                    versions.merge(new VersionKey(u.getModelName(), u.getVersion()), u, ModelVersions::merged);
                }
            }
        }
        return versions;
    }

    /**
     * Publishes a ROLLED_BACK update of {@code version}, repeating what earlier updates said of it (parent,
     * checkpoint, metrics), so inference jobs serving it return to its parent. {@link ModelVersions#rollback} decides
     * whether one is due.
     *
     * @param model the model line, or null when the version's name is unique on the topic
     */
    public RollbackOutcome rollback(String model, String version, String reason, Instant time)
            throws InterruptedException, ExecutionException {
        List<ModelUpdate> matches = read(model).entrySet().stream().filter(e -> e.getKey().version().equals(version))
                .map(Map.Entry::getValue).toList();
        if (matches.isEmpty()) {
            return new RollbackOutcome.Refused("no update on " + topic + " names version " + version
                    + (model == null ? "" : " of model " + model) + ": nothing to roll back");
        }
        if (matches.size() > 1) {
            return new RollbackOutcome.Refused("version " + version + " exists in several models ("
                    + matches.stream().map(ModelUpdate::getModelName).toList()
                    + "): name the model (hovle models rollback --model)");
        }
        ModelUpdate known = matches.get(0);
        ModelVersions.Rollback decision = ModelVersions.rollback(known, reason, time);
        if (decision instanceof ModelVersions.Rollback.Refused refused) {
            return new RollbackOutcome.Refused(refused.why());
        }
        if (decision instanceof ModelVersions.Rollback.AlreadyDone done) {
            return new RollbackOutcome.AlreadyDone(done.why());
        }
        ModelUpdate update = ((ModelVersions.Rollback.Publish) decision).update();
        RecordMetadata written;
        try (EventProducer producer = EventProducer.connect(bootstrapServers)) {
            written = producer.send(topic, update).get();
        }
        return new RollbackOutcome.Published(update, written, "published ROLLED_BACK of " + version + " (model "
                + known.getModelName() + ") at " + written.topic() + "-" + written.partition() + "@"
                + written.offset() + "; jobs serving it return to " + (known.getParentVersion() == null
                ? "its parent, but it has none: they will refuse the rollback"
                : "its parent " + known.getParentVersion()));
    }
}
