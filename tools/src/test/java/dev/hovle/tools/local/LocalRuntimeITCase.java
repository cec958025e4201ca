package dev.hovle.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.testkit.LocalMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command: from nothing to captions and judged answers streaming within a minute, the training job
 * promoting a version that inference then serves, and a clean stop.
 */
class LocalRuntimeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LocalMetrics.configure(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path work;

    @Test
    void streamsAnswersThenServesAVersionTheTrainingJobPromotedAndStopsCleanly() throws Exception {
        Lines out = new Lines();
        LocalRuntime runtime = LocalRuntime.builder().setOut(out.printer()).optWorkDir(work).optRate(2)
                .optSamplesDir(Path.of("..", "samples")).build();
        Thread running = new Thread(() -> {
            try {
                runtime.run();
            } catch (Exception e) {
                out.printer().println("FAILED " + e);
            }
        });
        long started = System.nanoTime();
        running.start();

        out.await(text -> count(text, "\ncaption ") >= 3 && count(text, "\nanswer ") >= 3, Duration.ofSeconds(60));
        Duration firstResults = Duration.ofNanos(System.nanoTime() - started);
        // The first version comes after 25 steps of 16 samples: the stream sends 16 a second.
        out.await(text -> text.contains("\nMODEL   PROMOTED"), Duration.ofSeconds(120));
        String promoted = out.text().replaceAll("(?s).*\nMODEL   PROMOTED +(\\S+) .*", "$1");
        out.await(text -> text.contains(" gen  " + promoted + " Q: "), Duration.ofSeconds(30));
        runtime.stop();

        assertThat(runtime.awaitStopped(Duration.ofSeconds(60))).isTrue();
        running.join();
        String text = out.text();
        assertThat(firstResults).isLessThan(Duration.ofSeconds(60));
        assertThat(text).doesNotContain("FAILED").contains("stopping:").containsPattern("answer +shape-\\d+ +[0-9.]+ s "
                + "e2e +\\d+ ms gen +tiny +Q: .+ \\(expected .+, (right|wrong)\\)  A: \".*\"  \\[shape-qa-\\d+]");
        assertThat(text).containsPattern("caption +shape-\\d+ .* tiny ");
        assertThat(text).containsPattern("MODEL   CANDIDATE +" + promoted + " +parent tiny +step 25, 400 samples  eval loss");
        assertThat(text).containsPattern("-- +\\d+ s \\| \\d+ results \\([0-9.]+/s\\).*engine queue .*back-pressure");
        assertThat(text).containsPattern("-- training step \\d+, loss [0-9.]+, [0-9.]+ samples/s, serving .* \\| shapes "
                + "answers right by version: .*tiny \\d+/\\d+");
        assertThat(Files.readString(work.resolve("local").resolve("bootstrap-servers"))).startsWith("localhost:");
        // Checkpoints went to files (one folder per job), not to JobManager memory, whose 5 MB cap the image join's
        // retained images pass within minutes.
        try (var jobs = Files.list(work.resolve("local").resolve("checkpoints"))) {
            assertThat(jobs.filter(Files::isDirectory).count()).as("jobs checkpointing to files").isEqualTo(2);
        }
    }

    @Test
    void keepsServingWhileHostileRecordsArrive() throws Exception {
        Lines out = new Lines();
        LocalRuntime runtime = LocalRuntime.builder().setOut(out.printer()).optWorkDir(work).optRate(2)
                .optTraining(false).optHostileEvery(Duration.ofMillis(250)).optDuration(Duration.ofSeconds(40))
                .optSamplesDir(Path.of("..", "samples")).build();

        runtime.run();

        String text = out.text();
        long sent = Long.parseLong(text.replaceAll("(?s).*\n-- (\\d+) hostile records sent.*", "$1"));
        assertThat(sent).as("hostile records sent").isGreaterThan(100);
        // Every one a dead letter (the last few may still be in flight when the run stops).
        assertThat(count(text, " key=hostile-")).as("hostile dead letters printed").isBetween((int) sent - 20,
                (int) sent);
        assertThat(text.lastIndexOf("\ncaption ")).as("captions after the first hostile record")
                .isGreaterThan(text.indexOf(" key=hostile-"));
        assertThat(text.replaceAll("(?s).*\n(-- \\d+ hostile records sent[^\n]*).*", "$1"))
                .contains("job restarts 0");
        assertThat(text).doesNotContain("root:x:").doesNotContain("FAILED");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    /** Everything printed, with a wait for a condition on it. */
    private static final class Lines extends ByteArrayOutputStream {
        private final PrintStream printer = new PrintStream(this, true, StandardCharsets.UTF_8);

        PrintStream printer() {
            return printer;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        synchronized String text() {
            return "\n" + toString(StandardCharsets.UTF_8);
        }

        synchronized void await(java.util.function.Predicate<String> condition, Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (!condition.test(text())) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("not printed within " + timeout + ":" + text());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
