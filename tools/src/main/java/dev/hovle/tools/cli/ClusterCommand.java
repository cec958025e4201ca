package dev.hovle.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.schemas.Topic;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.tools.cluster.FlinkImage;
import dev.hovle.tools.cluster.FlinkRest;
import dev.hovle.tools.cluster.LocalCluster;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hovle cluster up|down|status|submit}: a standalone Flink cluster and a Kafka broker of real processes. */
@Command(name = "cluster", description = {"A standalone Flink cluster of real processes on this machine (one "
        + "JobManager, TaskManagers, one Kafka broker JVM), laid out as the deploy/ image: jobs are submitted as "
        + "the job jar through the JobManager's REST API."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class,
            ClusterCommand.Submit.class})
final class ClusterCommand implements Runnable {
    static final Path WORK = Path.of("work", "cluster");

    @Override
    public void run() {
        System.out.println("hovle cluster up | status | submit inference|training | down (see --help)");
    }

    /** Starts the processes and leaves them running. */
    @Command(name = "up", description = "Start one JobManager (web UI), TaskManagers and a Kafka broker, each its own "
            + "JVM, and create the topics; they keep running until hovle cluster down.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--task-managers", defaultValue = "2", description = "(default ${DEFAULT-VALUE})")
        int taskManagers;

        @Option(names = "--slots", defaultValue = "2", description = "slots per TaskManager (default ${DEFAULT-VALUE})")
        int slots;

        @Option(names = "--rest-port", defaultValue = "8081", description = "web UI and REST API (default "
                + "${DEFAULT-VALUE})")
        int restPort;

        @Option(names = "-D", mapFallbackValue = "", description = "more cluster configuration, Flink keys or job "
                + "options, e.g. -Dhovle.engine.max-batch=4")
        Map<String, String> options = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if (LocalCluster.detachedState(WORK).isPresent()) {
                throw new IllegalArgumentException("a cluster is up already (" + WORK.resolve("cluster.json")
                        + "): hovle cluster status, or hovle cluster down first");
            }
            LocalCluster cluster = LocalCluster.builder().setImage(FlinkImage.fromRepository(Path.of("")))
                    .setWorkDir(WORK).optTaskManagers(taskManagers).optSlots(slots).optRestPort(restPort)
                    .optFlinkOptions(options).build().start();
            createTopics(cluster.bootstrapServers());
            // hovle send, tail, models and web find the broker here, as they find a hovle run's.
            Path address = Path.of("work", "local", "bootstrap-servers");
            Files.createDirectories(address.getParent());
            Files.writeString(address, cluster.bootstrapServers() + "\n");
            System.out.println("flink: web UI at " + cluster.webUi() + " (" + taskManagers + " TaskManagers, "
                    + slots + " slots each); logs in " + WORK.resolve("logs"));
            System.out.println("kafka: " + cluster.bootstrapServers() + " (topics created)");
            System.out.println("next: hovle cluster submit inference; hovle cluster down stops everything");
            return 0;
        }

        private static void createTopics(String servers) throws Exception {
            List<String> twoPartitions = Arrays.stream(Topic.values()).filter(t -> t != Topic.MODEL_UPDATES)
                    .map(Topic::defaultName).toList();
            EmbeddedKafka.createTopics(servers, twoPartitions, 2, (short) 1);
            // Updates of a model line share one partition: its order is the versions' order.
            EmbeddedKafka.createTopics(servers, List.of(Topic.MODEL_UPDATES.defaultName()), 1, (short) 1);
        }
    }

    /** Stops every process of the cluster. */
    @Command(name = "down", description = "Stop the TaskManagers, the JobManager and the broker (running jobs are "
            + "cancelled by it; stop them with a savepoint first to resume them later).")
    static final class Down implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            System.out.println(LocalCluster.stopDetached(WORK) ? "cluster stopped" : "no cluster is up");
            return 0;
        }
    }

    /** Processes, TaskManagers and jobs. */
    @Command(name = "status", description = "The cluster's processes, TaskManagers with their slots, and jobs.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            JsonNode state = LocalCluster.detachedState(WORK).orElse(null);
            if (state == null) {
                System.out.println("no cluster is up (hovle cluster up starts one)");
                return 1;
            }
            state.get("pids").fields().forEachRemaining(p -> System.out.printf(Locale.ROOT, "%-14s pid %-8d %s%n",
                    p.getKey(), p.getValue().asLong(), ProcessHandle.of(p.getValue().asLong())
                            .map(ProcessHandle::isAlive).orElse(false) ? "running" : "GONE"));
            FlinkRest rest = new FlinkRest(URI.create(state.get("rest").asText()));
            System.out.println("web UI  " + rest.base() + (rest.reachable() ? "" : " (not answering)"));
            System.out.println("kafka   " + state.get("bootstrapServers").asText());
            if (rest.reachable()) {
                for (JsonNode tm : rest.taskManagers()) {
                    System.out.printf(Locale.ROOT, "taskmanager %s: %d of %d slots free%n", tm.get("id").asText(),
                            tm.get("freeSlots").asInt(), tm.get("slotsNumber").asInt());
                }
                for (FlinkRest.Job job : rest.jobs()) {
                    System.out.printf(Locale.ROOT, "job %s %-20s %s%n", job.id(), job.name(), job.state());
                }
            }
            return 0;
        }
    }

    /** Submits a job jar to the running cluster. */
    @Command(name = "submit", description = "Submit the inference or training job (the job jar of the deploy/ image) "
            + "to the cluster, configured by the cluster's config.yaml and -D options.")
    static final class Submit implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB", description = "inference or training")
        LocalCluster.JobKind kind;

        @Option(names = "--model", description = "snapshot to serve or train (default: a tiny random model under "
                + "work/models/tiny, no download)")
        Path model;

        @Option(names = "--from-savepoint", description = "start from this savepoint")
        String savepoint;

        @Option(names = "-D", mapFallbackValue = "", description = "job options, e.g. -Dhovle.engine.max-batch=4")
        Map<String, String> options = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            JsonNode state = LocalCluster.detachedState(WORK).orElseThrow(() -> new IllegalArgumentException(
                    "no cluster is up: hovle cluster up first"));
            Map<String, String> all = new LinkedHashMap<>();
            all.put("hovle.model.dir", modelDir().toString());
            all.putAll(options);
            FlinkImage image = FlinkImage.fromRepository(Path.of(""));
            String job = new FlinkRest(URI.create(state.get("rest").asText())).submit(image.jobJar(),
                    kind.entryClass(), all, savepoint);
            System.out.println("submitted " + kind.name().toLowerCase(Locale.ROOT) + " job " + job + " ("
                    + image.jobJar().getFileName() + "); watch it at " + state.get("rest").asText() + "#/job/running/"
                    + job + "/overview");
            return 0;
        }

        private Path modelDir() throws IOException {
            if (model != null) {
                return model.toAbsolutePath();
            }
            Path dir = Path.of("work", "models", "tiny").toAbsolutePath();
            if (!Files.exists(dir.resolve("config.json"))) {
                SnapshotInitializer.create(dir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 0);
            }
            return dir;
        }
    }
}
