package dev.hovle.tools.cli;

import dev.hovle.tools.cluster.FlinkRest;
import dev.hovle.tools.cluster.FlinkRestGauges;
import dev.hovle.tools.cluster.LocalCluster;
import dev.hovle.web.JobGauges;
import dev.hovle.web.Topics;
import dev.hovle.web.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle web}: the live page beside any deployment, reading its topics. */
@Command(name = "web", description = {"Serve the live web page of a running deployment: committed captions and "
        + "answers with their pictures, model versions (with rollback), training curves, throughput, consumer lag and "
        + "dead letters, read from the topics with read_committed consumers. Ctrl-C stops it."})
final class WebCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (default: the broker of a local hovle run, "
            + "else localhost:9092)")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "" + WebServer.DEFAULT_PORT, description = "port (default "
            + "${DEFAULT-VALUE}; 0: any free port)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default "
            + "${DEFAULT-VALUE}: this machine only). Any other address serves everyone who reaches it, rollbacks "
            + "included: put an authenticating proxy in front, or add --read-only")
    String bind;

    @Option(names = "--read-only", description = "no rollback button")
    boolean readOnly;

    @Option(names = "--from-beginning", description = "show what the topics hold from their beginning (default: "
            + "from now; model versions are always read whole)")
    boolean fromBeginning;

    @Option(names = "--group-id", defaultValue = "hovle-inference", description = "the inference job's consumer "
            + "group, for the lag (default ${DEFAULT-VALUE})")
    String groupId;

    @Option(names = "--flink-rest", description = "the JobManager's REST API (its web UI address), for the engine "
            + "and trainer gauges, e.g. http://jobmanager:8081/ (default: the hovle cluster's, if one is up; else none)")
    URI flinkRest;

    @Option(names = "--images-topic", defaultValue = "hovle.images", description = "(default ${DEFAULT-VALUE})")
    String imagesTopic;

    @Option(names = "--requests-topic", defaultValue = "hovle.requests", description = "(default ${DEFAULT-VALUE})")
    String requestsTopic;

    @Option(names = "--results-topic", defaultValue = "hovle.results", description = "(default ${DEFAULT-VALUE})")
    String resultsTopic;

    @Option(names = "--model-updates-topic", defaultValue = "hovle.model-updates",
            description = "(default ${DEFAULT-VALUE})")
    String modelUpdatesTopic;

    @Option(names = "--dead-letters-topic", defaultValue = "hovle.dlq", description = "(default ${DEFAULT-VALUE})")
    String deadLettersTopic;

    /** The gauges from the given JobManager, or from a {@code hovle cluster} that is up, or none. */
    private JobGauges gauges() throws IOException {
        URI rest = flinkRest;
        if (rest == null) {
            rest = LocalCluster.detachedState(ClusterCommand.WORK).map(s -> URI.create(s.get("rest").asText()))
                    .orElse(null);
        }
        return rest == null ? JobGauges.NONE : new FlinkRestGauges(new FlinkRest(rest));
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (WebServer web = WebServer.builder().setBootstrapServers(KafkaAddress.resolve(bootstrapServers))
                .optPort(port).optBindAddress(InetAddress.getByName(bind)).optRollbackEnabled(!readOnly)
                .optFromBeginning(fromBeginning).optGroupId(groupId).optGauges(gauges())
                .optTopics(new Topics(imagesTopic, requestsTopic, resultsTopic, modelUpdatesTopic, deadLettersTopic))
                .build().start()) {
            System.out.println("web: " + web.url() + (flinkRest != null ? " (gauges from " + flinkRest + ")" : ""));
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "hovle-web-ctrl-c"));
            stop.await();
        }
        return 0;
    }
}
