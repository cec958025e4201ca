package dev.hovle.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.ModelStatus;
import dev.hovle.schemas.ModelUpdate;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code hovle models} and {@code hovle models rollback} against a real broker. */
class ModelsCommandTest {
    private static final String TOPIC = "test.model-updates";

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(List.of(TOPIC), 1);
        try (EventProducer producer = EventProducer.connect(kafka.bootstrapServers())) {
            producer.send(TOPIC, update("hovle", "step-100", "tiny", ModelStatus.CANDIDATE, 0.91));
            producer.send(TOPIC, update("hovle", "step-100", "tiny", ModelStatus.PROMOTED, 0.91));
            producer.send(TOPIC, update("hovle", "step-200", "step-100", ModelStatus.CANDIDATE, 1.37));
            producer.send(TOPIC, ModelUpdate.newBuilder(update("hovle", "step-200", "step-100", ModelStatus.REJECTED,
                    1.37)).setReason("eval loss 1.37 > 0.91 + 0.05").build());
            producer.send(TOPIC, update("other", "step-100", "base", ModelStatus.PROMOTED, 2.0));
            producer.send(TOPIC, update("hovle", "step-300", "step-100", ModelStatus.PROMOTED, 0.85));
            producer.flush();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void listsEveryVersionWithItsLatestStatusParentStepAndMetrics() {
        Result all = run("models", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC);
        Result hovle = run("models", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC, "--model",
                "hovle");

        assertThat(all.exit()).as(all.err()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0)).contains("MODEL", "VERSION", "STATUS", "PARENT", "STEP", "SAMPLES", "METRICS");
        assertThat(lines).hasSize(5); // the header, then versions in the order they first appeared
        assertThat(lines.get(1)).contains("hovle", "step-100", "PROMOTED", "tiny", "INSTRUCTION", "100", "800",
                "eval_accuracy=0.5000 eval_loss=0.9100");
        assertThat(lines.get(2)).contains("step-200", "REJECTED", "step-100", "eval_loss=1.370",
                "eval loss 1.37 > 0.91 + 0.05");
        assertThat(lines.get(3)).contains("other", "step-100", "PROMOTED", "base");
        assertThat(lines.get(4)).contains("hovle", "step-300");
        assertThat(hovle.out().lines()).hasSize(4).noneMatch(l -> l.startsWith("other"));
    }

    @Test
    void rollbackPublishesRolledBackWithWhatEarlierUpdatesSaid() throws Exception {
        Result rolledBack = run("models", "rollback", "step-300", "--model", "hovle", "--reason", "answers got worse",
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC);

        assertThat(rolledBack.exit()).as(rolledBack.err()).isZero();
        assertThat(rolledBack.out()).contains("published ROLLED_BACK of step-300 (model hovle)", "its parent step-100");
        ModelUpdate last;
        try (EventReader<ModelUpdate> reader = EventReader.open(kafka.bootstrapServers(), TOPIC, ModelUpdate.class,
                true)) {
            List<EventReader.Received<ModelUpdate>> all = reader.readToEnd(Duration.ofSeconds(30));
            last = all.get(all.size() - 1).event();
        }
        assertThat(last.getStatus()).isEqualTo(ModelStatus.ROLLED_BACK);
        assertThat(last.getModelName()).isEqualTo("hovle");
        assertThat(last.getReason()).isEqualTo("answers got worse");
        assertThat(last.getVersion()).isEqualTo("step-300");
        assertThat(last.getParentVersion()).isEqualTo("step-100");
        assertThat(last.getUri()).isEqualTo("file:/store/step-300");
        assertThat(last.getChecksums()).containsEntry("config.json", "cd".repeat(32));
        assertThat(run("models", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", TOPIC, "--model", "hovle")
                .out().lines().filter(l -> l.contains("step-300"))).singleElement().asString().contains("ROLLED_BACK");
    }

    @Test
    void rollbackRefusesUnknownRejectedAndAmbiguousVersions() {
        String servers = kafka.bootstrapServers();

        Result unknown = run("models", "rollback", "step-999", "--bootstrap-servers", servers, "--topic", TOPIC);
        Result rejected = run("models", "rollback", "step-200", "--bootstrap-servers", servers, "--topic", TOPIC);
        Result ambiguous = run("models", "rollback", "step-100", "--bootstrap-servers", servers, "--topic", TOPIC);

        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no update on " + TOPIC + " names version step-999");
        assertThat(rejected.exit()).isEqualTo(1);
        assertThat(rejected.err()).contains("step-200 was rejected");
        assertThat(ambiguous.exit()).isEqualTo(1);
        assertThat(ambiguous.err()).contains("several models", "--model");
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HovleMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static ModelUpdate update(String model, String version, String parent, ModelStatus status, double loss) {
        return ModelUpdate.newBuilder().setModelName(model).setVersion(version).setParentVersion(parent)
                .setStage(TrainingStage.INSTRUCTION).setStep(Long.parseLong(version.replaceAll("\\D", "")))
                .setSamplesSeen(8 * Long.parseLong(version.replaceAll("\\D", "")))
                .setUri("file:/store/" + version).setChecksums(Map.of("config.json", "cd".repeat(32)))
                .setMetrics(Map.of("eval_loss", loss, "eval_accuracy", 0.5)).setStatus(status)
                .setTime(Instant.parse("2025-06-01T12:00:00Z")).build();
    }
}
