package dev.hovle.operators.deadletter;

import dev.hovle.operators.inference.SourceRecord;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Bounds how often one record can restart a job. Flink restores state from the last checkpoint after a failure, so
 * no state can remember "this record was being processed when the task died"; this ledger can: a small file per
 * operator subtask, outside Flink's state, names the records in flight (and the one blamed, when the failure came
 * from a known record). When the subtask opens again in the same job, each record that was in flight (or only the
 * blamed one) has one more failed attempt; once a record has failed {@code maxAttempts} times it is set aside as a
 * REPEATED_FAILURE dead letter instead of being processed again.
 *
 * <p>The ledger survives task restarts and TaskManager processes that die, as long as the subtask comes back on a
 * host that keeps {@code hovle.failures.ledger-dir}; a subtask moved to another host starts a fresh count, and
 * Flink's restart strategy remains the outer bound. Writes go to the page cache (no fsync): a crash of the process
 * keeps them, a crash of the machine may not.
 */
public final class RecordAttempts implements AutoCloseable {

    /**
     * Where an operator's ledgers live and when a record is set aside.
     *
     * @param dir the ledgers' directory, or null for {@code hovle-record-attempts} in the TaskManager's temporary
     *     directory
     * @param maxAttempts failed attempts after which a record is set aside (at least 1)
     */
    public record Settings(String dir, int maxAttempts) implements Serializable {
        /** The TaskManager's temporary directory, 3 attempts. */
        public static final Settings DEFAULTS = new Settings(null, 3);

        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1, found " + maxAttempts);
            }
        }
    }

    /** Failure counts kept at most; the oldest are forgotten first. */
    private static final int MAX_REMEMBERED = 1000;

    private final FileChannel file;
    private final int maxAttempts;
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    private final Set<String> inFlight = new LinkedHashSet<>();
    private String blamed;

    private RecordAttempts(FileChannel file, int maxAttempts) {
        this.file = file;
        this.maxAttempts = maxAttempts;
    }

    /**
     * The ledger of one subtask of {@code operator} in the running job.
     */
    public static RecordAttempts forSubtask(RuntimeContext context, String operator, Settings settings)
            throws IOException {
        Path root = settings.dir() != null ? Path.of(settings.dir())
                : Path.of(System.getProperty("java.io.tmpdir"), "hovle-record-attempts");
        return open(root.resolve(context.getJobInfo().getJobId().toString())
                .resolve(operator + "-" + context.getTaskInfo().getIndexOfThisSubtask() + ".attempts"),
                settings.maxAttempts());
    }

    /** Opens (or creates) the ledger in {@code path}, charging a failed attempt to what was left in flight. */
    public static RecordAttempts open(Path path, int maxAttempts) throws IOException {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, found " + maxAttempts);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        RecordAttempts ledger = new RecordAttempts(FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), maxAttempts);
        ledger.load(Files.readAllLines(path, StandardCharsets.UTF_8));
        ledger.save();
        return ledger;
    }

    private void load(Iterable<String> lines) {
        Set<String> leftInFlight = new LinkedHashSet<>();
        String leftBlamed = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            // A line torn by a crash mid-write is skipped: at worst one failure is not counted.
            if (f.length == 3 && f[0].equals("failed")) {
                try {
                    failures.put(f[1], Integer.parseInt(f[2]));
                } catch (NumberFormatException e) {
                    continue;
                }
            } else if (f.length == 2 && f[0].equals("inflight")) {
                leftInFlight.add(f[1]);
            } else if (f.length == 2 && f[0].equals("blamed")) {
                leftBlamed = f[1];
            }
        }
        for (String record : leftBlamed != null ? Set.of(leftBlamed) : leftInFlight) {
            failures.merge(record, 1, Integer::sum);
        }
        while (failures.size() > MAX_REMEMBERED) {
            failures.remove(failures.keySet().iterator().next());
        }
    }

    /** How many attempts at {@code record} ended with the job failing. */
    public synchronized int failures(SourceRecord record) {
        return failures.getOrDefault(key(record), 0);
    }

    /** Whether {@code record} has failed {@code maxAttempts} times and must not be processed again. */
    public synchronized boolean exhausted(SourceRecord record) {
        return failures(record) >= maxAttempts;
    }

    /** The dead-letter message for an exhausted record. */
    public String exhaustedMessage(SourceRecord record, String what) {
        return what + " (record " + record + ") was set aside: the job failed " + failures(record)
                + " times while it was being processed (hovle.failures.max-attempts " + maxAttempts + ")";
    }

    /** Notes that {@code record} is being processed. */
    public synchronized void begin(SourceRecord record) {
        inFlight.add(key(record));
        save();
    }

    /** Notes that {@code record} is done with, however it ended short of failing the job. */
    public synchronized void end(SourceRecord record) {
        if (inFlight.remove(key(record))) {
            save();
        }
    }

    /** Names {@code record} as what is failing the job, so only it is charged the failed attempt. */
    public synchronized void blame(SourceRecord record) {
        blamed = key(record);
        save();
    }

    private static String key(SourceRecord record) {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    private void save() {
        if (!file.isOpen()) {
            return; // a generation completing after close(): the subtask is gone, so is what was in flight
        }
        StringBuilder text = new StringBuilder();
        failures.forEach((record, n) -> text.append("failed ").append(record).append(' ').append(n).append('\n'));
        inFlight.forEach(record -> text.append("inflight ").append(record).append('\n'));
        if (blamed != null) {
            text.append("blamed ").append(blamed).append('\n');
        }
        try {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            file.truncate(bytes.remaining());
            file.write(bytes, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the record-attempts ledger", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
