package dev.hovle.tools.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A standalone Flink cluster and a Kafka broker on this machine, each in its own JVM, laid out as the Flink image
 * of {@code deploy/} is: Flink's own jars, then the jobs' runtime (DJL included: parent-first, since native libraries
 * cannot be loaded again by a new class loader after a restart) and the SQL provider in {@code lib/}, the job jar
 * submitted through the JobManager's REST API. Processes can be killed ({@code kill -9}) and replaced, the broker
 * restarted, jobs stopped with a savepoint and started from it.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().setImage(FlinkImage.fromRepository(root))
 *         .setWorkDir(dir).build().start()) {
 *     String job = cluster.submit(JobKind.INFERENCE, Map.of("hovle.model.dir", model.toString()), null);
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
    private static final String JOB_MANAGER_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String STATE_FILE = "cluster.json";
    /**
     * The configuration every deployment of the image must have, here and in {@code deploy/kubernetes} (a test
     * holds them equal): DJL parent-first (native libraries cannot be loaded again by a new class loader after a
     * restart), exactly-once checkpoints, restarts that back off, no Kryo fallback.
     */
    public static final Map<String, String> IMAGE_CONFIGURATION = Map.of(
            "classloader.parent-first-patterns.additional", "ai.djl",
            "execution.checkpointing.mode", "EXACTLY_ONCE",
            "restart-strategy.type", "exponential-delay",
            "pipeline.generic-types", "false");
    /** JVM options of every TaskManager, here and in {@code deploy/kubernetes}: DJL must never try a download. */
    public static final String TASK_MANAGER_JAVA_OPTIONS = "-Dai.djl.offline=true";
    /**
     * What the config.yaml of Flink's distribution (and so the flink:2.2-java17 image) passes to every Flink JVM on
     * Java 17: without it the JobManager cannot even build a job graph (its closure cleaner reflects into
     * java.util).
     */
    static final List<String> JAVA_17_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Builder b;
    private final Path conf;
    private final Path logs;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final int restPort;
    private final int rpcPort;
    private final int brokerPort;
    private final int controllerPort;
    private final FlinkRest rest;

    private LocalCluster(Builder b) throws IOException {
        this.b = b;
        this.conf = b.workDir.resolve("conf");
        this.logs = b.workDir.resolve("logs");
        Files.createDirectories(conf);
        Files.createDirectories(logs);
        this.restPort = b.restPort != 0 ? b.restPort : freePort();
        this.rpcPort = freePort();
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        this.rest = new FlinkRest(URI.create("http://localhost:" + restPort + "/"));
    }

    /** A builder; the image layout and the work directory are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The kinds of job the image ships, by their entry class. */
    public enum JobKind {
        INFERENCE("dev.hovle.pipeline.inference.InferenceJob"),
        TRAINING("dev.hovle.pipeline.training.TrainingJob");

        private final String entryClass;

        JobKind(String entryClass) {
            this.entryClass = entryClass;
        }

        public String entryClass() {
            return entryClass;
        }
    }

    /**
     * Starts the broker, the JobManager and the TaskManagers, each in its own JVM; returns once the broker serves,
     * the REST API answers and every TaskManager has registered.
     */
    public LocalCluster start() throws IOException, InterruptedException {
        try {
            writeConfiguration();
            startBroker(true);
            start("jobmanager", flinkClassPath(), JOB_MANAGER_CLASS, List.of("--configDir", conf.toString()),
                    flinkJvm(b.jobManagerJvmOptions));
            await("the JobManager's REST API at " + rest.base(), rest::reachable);
            for (int i = 1; i <= b.taskManagers; i++) {
                startTaskManager("taskmanager-" + i);
            }
            awaitTaskManagers(b.taskManagers);
            writeState();
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts a TaskManager JVM named {@code name} (a replacement, or one more). */
    public void startTaskManager(String name) throws IOException {
        start(name, flinkClassPath(), TASK_MANAGER_CLASS, List.of("--configDir", conf.toString(),
                "-Dtaskmanager.resource-id=" + name), flinkJvm(b.taskManagerJvmOptions));
    }

    /** Kills a process as {@code kill -9} does: no shutdown hook, no goodbye to the JobManager or the broker. */
    public void kill(String name) throws InterruptedException {
        Process process = processes.remove(name);
        if (process == null) {
            throw new IllegalArgumentException("no process " + name + " in this cluster: " + processes.keySet());
        }
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the broker (SIGTERM, as a rolling restart does) and starts it again on the same port and log. */
    public void restartBroker() throws IOException, InterruptedException {
        Process broker = processes.remove("kafka");
        broker.destroy();
        if (!broker.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            broker.destroyForcibly().waitFor();
        }
        startBroker(false);
        writeState();
    }

    /** Waits until {@code count} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int count) throws InterruptedException {
        await(count + " TaskManagers registered", () -> {
            try {
                return rest.taskManagers().size() == count;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Submits the image's job jar with {@code options} as {@code --key value} arguments over the cluster's
     * configuration; returns the job id.
     *
     * @param savepoint a savepoint to start from, or null
     */
    public String submit(JobKind kind, Map<String, String> options, String savepoint) throws IOException {
        return rest.submit(b.image.jobJar(), kind.entryClass(), options, savepoint);
    }

    public FlinkRest rest() {
        return rest;
    }

    /** The Flink web UI (and REST API). */
    public URI webUi() {
        return rest.base();
    }

    public String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    /** Where savepoints go by default. */
    public Path savepoints() {
        return b.workDir.resolve("savepoints");
    }

    /** The names of the running processes, e.g. kafka, jobmanager, taskmanager-1. */
    public List<String> processes() {
        return processes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
    }

    /** Stops every process: TaskManagers first, then the JobManager, then the broker. */
    @Override
    public void close() {
        List<String> order = new ArrayList<>(processes.keySet());
        order.sort((x, y) -> Integer.compare(rank(x), rank(y)));
        for (String name : order) {
            stop(processes.remove(name));
        }
        try {
            Files.deleteIfExists(b.workDir.resolve(STATE_FILE));
        } catch (IOException e) {
            // nothing left to clean up then
        }
    }

    /** Stops the processes a {@code hovle cluster up} in {@code workDir} left running; false if there were none. */
    public static boolean stopDetached(Path workDir) throws IOException {
        Path file = workDir.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return false;
        }
        var state = new ObjectMapper().readTree(file.toFile());
        List<String> names = new ArrayList<>();
        state.get("pids").fieldNames().forEachRemaining(names::add);
        names.sort((x, y) -> Integer.compare(rank(x), rank(y)));
        for (String name : names) {
            ProcessHandle.of(state.get("pids").get(name).asLong()).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        Files.delete(file);
        return true;
    }

    /** What {@code hovle cluster up} wrote down in {@code workDir}: ports, process ids; empty when none runs. */
    public static Optional<com.fasterxml.jackson.databind.JsonNode> detachedState(Path workDir) throws IOException {
        Path file = workDir.resolve(STATE_FILE);
        return Files.exists(file) ? Optional.of(new ObjectMapper().readTree(file.toFile())) : Optional.empty();
    }

    private static int rank(String name) {
        return name.startsWith("taskmanager") ? 0 : name.equals("jobmanager") ? 1 : 2;
    }

    private void startBroker(boolean format) throws IOException, InterruptedException {
        Path properties = b.workDir.resolve("kafka").resolve("server.properties");
        if (format) {
            // A fresh broker each time the cluster starts: its controller's address is written into the log, and
            // the ports are new. Savepoints, checkpoints and the model store are kept.
            deleteTree(properties.getParent());
            Files.createDirectories(properties.getParent());
            Files.writeString(properties, brokerProperties());
            Process formatting = new ProcessBuilder(java(), "-cp", b.brokerClassPath, "kafka.tools.StorageTool",
                    "format", "--standalone", "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                    "-c", properties.toString())
                    .redirectErrorStream(true).redirectOutput(logs.resolve("kafka-format.out").toFile()).start();
            if (formatting.waitFor() != 0) {
                throw new IOException("formatting the broker's log failed; see " + logs.resolve("kafka-format.out"));
            }
        }
        start("kafka", b.brokerClassPath, "kafka.Kafka", List.of(properties.toString()), List.of("-Xmx512m"));
        await("the Kafka broker at " + bootstrapServers(), this::brokerServes);
    }

    private boolean brokerServes() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(props)) {
            return !admin.describeCluster().nodes().get().isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private String brokerProperties() {
        Path data = b.workDir.resolve("kafka").resolve("data");
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "log.dirs=" + data,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                // The jobs' transactions stay open for a checkpoint interval; brokers refuse longer than this.
                "transaction.max.timeout.ms=900000",
                "");
    }

    private void writeConfiguration() throws IOException {
        Map<String, String> flink = new LinkedHashMap<>();
        flink.put("jobmanager.rpc.address", "localhost");
        flink.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        flink.put("jobmanager.bind-host", "localhost");
        flink.put("jobmanager.memory.process.size", "1024m");
        flink.put("rest.address", "localhost");
        flink.put("rest.bind-address", "localhost");
        flink.put("rest.port", Integer.toString(restPort));
        flink.put("web.upload.dir", b.workDir.resolve("uploads").toString());
        flink.put("taskmanager.host", "localhost");
        flink.put("taskmanager.bind-host", "localhost");
        flink.put("taskmanager.numberOfTaskSlots", Integer.toString(b.slots));
        // A TaskManager started without Flink's scripts must be told its resources outright: the scripts derive
        // these from taskmanager.memory.process.size and pass them on the command line.
        flink.put("taskmanager.cpu.cores", Integer.toString(b.slots));
        flink.put("taskmanager.memory.framework.heap.size", "128m");
        flink.put("taskmanager.memory.task.heap.size", "384m");
        flink.put("taskmanager.memory.framework.off-heap.size", "128m");
        // libtorch's memory (weights, KV caches) is native, outside these budgets; as in deploy/kubernetes, the
        // task off-heap share is where it is accounted for.
        flink.put("taskmanager.memory.task.off-heap.size", "256m");
        flink.put("taskmanager.memory.network.min", "64m");
        flink.put("taskmanager.memory.network.max", "64m");
        flink.put("taskmanager.memory.managed.size", "64m");
        flink.put("taskmanager.memory.jvm-metaspace.size", "256m");
        flink.put("taskmanager.memory.jvm-overhead.min", "192m");
        flink.put("taskmanager.memory.jvm-overhead.max", "192m");
        flink.put("parallelism.default", "1");
        flink.putAll(IMAGE_CONFIGURATION);
        flink.put("execution.checkpointing.dir", b.workDir.resolve("checkpoints").toUri().toString());
        flink.put("execution.checkpointing.savepoint-dir", savepoints().toUri().toString());
        flink.put("restart-strategy.exponential-delay.initial-backoff", "1s");
        flink.put("restart-strategy.exponential-delay.max-backoff", "10s");
        flink.put("hovle.kafka.bootstrap-servers", bootstrapServers());
        flink.put("hovle.store.uri", b.workDir.resolve("store").toString());
        flink.putAll(b.flinkOptions);
        StringBuilder yaml = new StringBuilder("# Written by hovle cluster: one JobManager, TaskManagers, one broker.\n");
        flink.forEach((key, value) -> yaml.append(key).append(": \"").append(value.replace("\"", "\\\""))
                .append("\"\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        Files.writeString(conf.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
    }

    private void writeState() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode state = json.createObjectNode().put("rest", rest.base().toString())
                .put("bootstrapServers", bootstrapServers()).put("workDir", b.workDir.toString());
        ObjectNode pids = state.putObject("pids");
        processes.forEach((name, process) -> pids.put(name, process.pid()));
        Files.writeString(b.workDir.resolve(STATE_FILE), json.writerWithDefaultPrettyPrinter().writeValueAsString(state));
    }

    private String flinkClassPath() {
        return b.image.libClassPath();
    }

    private void start(String name, String classPath, String mainClass, List<String> args, List<String> jvmOptions)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", classPath,
                "-Dlog.file=" + logs.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties"), TASK_MANAGER_JAVA_OPTIONS));
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".out").toFile()).start();
        processes.put(name, process);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static List<String> flinkJvm(List<String> options) {
        List<String> all = new ArrayList<>(JAVA_17_OPENS);
        all.addAll(options);
        return all;
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void await(String what, java.util.function.BooleanSupplier ready) throws InterruptedException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ready.getAsBoolean()) {
            List<String> dead = processes.entrySet().stream().filter(e -> !e.getValue().isAlive())
                    .map(Map.Entry::getKey).collect(Collectors.toList());
            if (!dead.isEmpty()) {
                throw new IllegalStateException("waiting for " + what + ", these processes exited: " + dead
                        + "; see their output in " + logs);
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no " + what + " within " + START_TIMEOUT + "; see " + logs);
            }
            Thread.sleep(200);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Builds a {@link LocalCluster}. */
    public static final class Builder {
        private FlinkImage image;
        private Path workDir;
        private int taskManagers = 2;
        private int slots = 2;
        private int restPort;
        private Map<String, String> flinkOptions = Map.of();
        private List<String> jobManagerJvmOptions = List.of("-Xmx512m");
        // Heap: framework + task heap; direct: framework + task off-heap + network (the sizes in config.yaml).
        private List<String> taskManagerJvmOptions = List.of("-Xmx512m", "-XX:MaxDirectMemorySize=448m");
        private String brokerClassPath = System.getProperty("java.class.path");

        private Builder() {}

        /** The jars, laid out as the Flink image has them (required). */
        public Builder setImage(FlinkImage value) {
            this.image = value;
            return this;
        }

        /** Configuration, logs, checkpoints, savepoints, the model store and the broker's log (required). */
        public Builder setWorkDir(Path value) {
            this.workDir = value.toAbsolutePath();
            return this;
        }

        /** TaskManager processes (default 2). */
        public Builder optTaskManagers(int value) {
            this.taskManagers = value;
            return this;
        }

        /** Slots per TaskManager (default 2). */
        public Builder optSlots(int value) {
            this.slots = value;
            return this;
        }

        /** The REST port of the JobManager and its web UI (default: a free one). */
        public Builder optRestPort(int value) {
            this.restPort = value;
            return this;
        }

        /** More cluster configuration (Flink keys and {@code hovle.*} job options) over the defaults. */
        public Builder optFlinkOptions(Map<String, String> value) {
            this.flinkOptions = Map.copyOf(value);
            return this;
        }

        /** The class path of the broker's JVM (default: this JVM's, which holds Kafka's server). */
        public Builder optBrokerClassPath(String value) {
            this.brokerClassPath = value;
            return this;
        }

        public LocalCluster build() throws IOException {
            if (image == null || workDir == null) {
                throw new IllegalStateException("LocalCluster needs setImage(FlinkImage) and setWorkDir(Path)");
            }
            if (taskManagers < 1 || slots < 1) {
                throw new IllegalArgumentException("at least one TaskManager with one slot: " + taskManagers + ", "
                        + slots);
            }
            return new LocalCluster(this);
        }
    }
}
