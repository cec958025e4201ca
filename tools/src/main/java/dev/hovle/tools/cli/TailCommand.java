package dev.hovle.tools.cli;

import dev.hovle.pipeline.kafka.EventReader;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.Topic;
import dev.hovle.schemas.VlmResult;
import dev.hovle.tools.local.EventLines;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hovle tail}: the committed results or dead letters, one readable line each, until Ctrl-C. */
@Command(name = "tail", description = {"Print the results or the dead letters a pipeline commits, one readable line "
        + "each (read_committed), until Ctrl-C."})
final class TailCommand implements Callable<Integer> {

    /** What to follow. */
    enum What { results, dead_letters }

    @Parameters(index = "0", description = "results or dead_letters")
    What what;

    @Option(names = "--from-beginning", description = "start at the oldest record instead of now")
    boolean fromBeginning;

    @Option(names = "--topic", description = "topic name (default: hovle.results or hovle.dlq)")
    String topic;

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (default: the broker of a local hovle run, "
            + "else localhost:9092)")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        String servers = KafkaAddress.resolve(bootstrapServers);
        boolean results = what == What.results;
        String name = topic != null ? topic : (results ? Topic.RESULTS : Topic.DEAD_LETTERS).defaultName();
        try (EventReader<?> reader = results ? EventReader.open(servers, name, VlmResult.class, fromBeginning)
                : EventReader.open(servers, name, DeadLetter.class, fromBeginning)) {
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                reader.wakeup();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            System.err.println("following " + name + " on " + servers + " (read_committed; Ctrl-C stops)");
            try {
                while (true) {
                    for (EventReader.Received<?> r : reader.poll(Duration.ofSeconds(1))) {
                        System.out.println(line(r));
                    }
                }
            } catch (WakeupException e) {
                return 0;
            } finally {
                done.countDown();
            }
        }
    }

    private static String line(EventReader.Received<?> r) {
        if (r.event() instanceof VlmResult result) {
            return EventLines.result(result, null, Instant.now());
        }
        if (r.event() instanceof DeadLetter letter) {
            return EventLines.deadLetter(letter);
        }
        return "UNREADABLE partition " + r.partition() + " offset " + r.offset() + ": " + r.error();
    }
}
