package dev.hovle.tools.cli;

import dev.hovle.operators.serving.ModelVersions;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Topic;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hovle models}: the versions on the model-updates topic as a table; {@code hovle models rollback} ends one. */
@Command(name = "models", description = {"List the model versions on the model-updates topic with their status, "
        + "parent, step, samples seen and metrics (read_committed, oldest first)."},
        subcommands = ModelsCommand.Rollback.class)
final class ModelsCommand implements Callable<Integer> {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    UpdatesTopic updates;

    @Override
    public Integer call() throws Exception {
        Map<VersionKey, ModelUpdate> versions = updates.read();
        PrintWriter out = updates.out();
        String format = "%-10s %-16s %-12s %-16s %-12s %8s %9s  %-20s  %-36s %s%n";
        out.printf(Locale.ROOT, format, "MODEL", "VERSION", "STATUS", "PARENT", "STAGE", "STEP", "SAMPLES", "TIME",
                "METRICS", "REASON");
        for (ModelUpdate u : versions.values()) {
            out.printf(Locale.ROOT, format, u.getModelName(), u.getVersion(), u.getStatus(),
                    u.getParentVersion() == null ? "-" : u.getParentVersion(), u.getStage(), u.getStep(),
                    u.getSamplesSeen(), u.getTime().truncatedTo(ChronoUnit.SECONDS), metrics(u.getMetrics()),
                    u.getReason() == null ? "" : u.getReason());
        }
        if (versions.isEmpty()) {
            out.println("(no model updates on " + updates.topic + ")");
        }
        out.flush();
        return 0;
    }

    private static String metrics(Map<String, Double> metrics) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(metrics).forEach((name, value) -> text.append(text.length() == 0 ? "" : " ").append(name)
                .append('=').append(String.format(Locale.ROOT, "%.4g", value)));
        return text.length() == 0 ? "-" : text.toString();
    }

    /** {@code hovle models rollback VERSION}: publishes ROLLED_BACK, so following jobs return to its parent. */
    @Command(name = "rollback", description = {"Publish a ROLLED_BACK update of VERSION: inference jobs serving it "
            + "return to its parent version. The update repeats what earlier updates said of the version (parent, "
            + "checkpoint, metrics)."})
    static final class Rollback implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "VERSION", description = "the version to roll back")
        String version;

        @Option(names = "--reason", description = "why, for the update's reason field (default: rolled back from the "
                + "command line by $USER)")
        String reason;

        @Mixin
        UpdatesTopic updates;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = updates.out();
            PrintWriter err = updates.err();
            List<ModelUpdate> matches = new ArrayList<>();
            updates.read().forEach((key, update) -> {
                if (key.version().equals(version)) {
                    matches.add(update);
                }
            });
            if (matches.isEmpty()) {
                err.println("no update on " + updates.topic + " names version " + version
                        + (updates.model == null ? "" : " of model " + updates.model) + ": nothing to roll back");
                return 1;
            }
            if (matches.size() > 1) {
                err.println("version " + version + " exists in several models (" + matches.stream()
                        .map(ModelUpdate::getModelName).toList() + "): choose one with --model");
                return 1;
            }
            ModelUpdate known = matches.get(0);
            ModelVersions.Rollback decision = ModelVersions.rollback(known, reason != null ? reason
                    : "rolled back from the command line by " + System.getProperty("user.name"), Instant.now());
            if (decision instanceof ModelVersions.Rollback.Refused refused) {
                err.println(refused.why());
                return 1;
            }
            if (decision instanceof ModelVersions.Rollback.AlreadyDone done) {
                out.println(done.why());
                out.flush();
                return 0;
            }
            ModelUpdate rollback = ((ModelVersions.Rollback.Publish) decision).update();
            RecordMetadata written;
            try (EventProducer producer = EventProducer.connect(updates.servers())) {
                written = producer.send(updates.topic, rollback).get();
            }
            out.println("published ROLLED_BACK of " + version + " (model " + known.getModelName() + ") at "
                    + written.topic() + "-" + written.partition() + "@" + written.offset() + "; jobs serving it return "
                    + "to " + (known.getParentVersion() == null ? "its parent, but it has none: they will refuse "
                    + "the rollback" : "its parent " + known.getParentVersion()));
            out.flush();
            return 0;
        }
    }

    /** A version of a model line. */
    record VersionKey(String model, String version) {}

    /** Where the updates are: the options both commands share, and where the command using them prints. */
    static final class UpdatesTopic {
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        @Option(names = "--bootstrap-servers", description = "Kafka cluster (default: the broker of a local hovle run, "
                + "else localhost:9092)")
        String bootstrapServers;

        @Option(names = "--model", description = "only this model line (default: every model on the topic)")
        String model;

        @Option(names = "--topic", description = "topic name (default: hovle.model-updates)")
        String topic = Topic.MODEL_UPDATES.defaultName();

        PrintWriter out() {
            return command.commandLine().getOut();
        }

        PrintWriter err() {
            return command.commandLine().getErr();
        }

        String servers() throws IOException {
            return KafkaAddress.resolve(bootstrapServers);
        }

        /** Every version on the topic, in the order it first appeared, merged as the inference job merges them. */
        Map<VersionKey, ModelUpdate> read() throws IOException {
            Map<VersionKey, ModelUpdate> versions = new LinkedHashMap<>();
            try (EventReader<ModelUpdate> reader = EventReader.open(servers(), topic, ModelUpdate.class, true)) {
                for (EventReader.Received<ModelUpdate> r : reader.readToEnd(READ_TIMEOUT)) {
                    ModelUpdate u = r.event();
                    if (u != null && (model == null || model.equals(u.getModelName()))) {
                        versions.merge(new VersionKey(u.getModelName(), u.getVersion()), u, ModelVersions::merged);
                    }
                }
            }
            return versions;
        }
    }
}
