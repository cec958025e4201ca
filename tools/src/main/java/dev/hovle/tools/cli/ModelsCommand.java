package dev.hovle.tools.cli;

import dev.hovle.pipeline.kafka.ModelLine;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.Topic;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
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
    @Mixin
    UpdatesTopic updates;

    @Override
    public Integer call() throws Exception {
        Map<ModelLine.VersionKey, ModelUpdate> versions = updates.line().read(updates.model);
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
            ModelLine.RollbackOutcome outcome = updates.line().rollback(updates.model, version, reason != null
                    ? reason : "rolled back from the command line by " + System.getProperty("user.name"), Instant.now());
            PrintWriter to = outcome instanceof ModelLine.RollbackOutcome.Refused ? updates.err() : updates.out();
            to.println(outcome.message());
            to.flush();
            return outcome instanceof ModelLine.RollbackOutcome.Refused ? 1 : 0;
        }
    }

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

        ModelLine line() throws IOException {
            return new ModelLine(servers(), topic);
        }
    }
}
