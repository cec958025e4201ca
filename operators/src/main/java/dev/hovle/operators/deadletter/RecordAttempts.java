package dev.hovle.operators.deadletter;

import dev.hovle.operators.record.SourceRecord;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Bounds how often one record can restart a job. Flink restores state from the last checkpoint after a failure, so
 * no state can remember "this record was being processed when the task died"; this ledger can: a small file per
 * operator subtask, outside Flink's state, names the records in flight and counts failed attempts.
 *
 * <ul>
 *   <li>When a subtask knows which record fails the job (an error it must rethrow), it {@link #blame}s it: that
 *       record's count goes up at once, and a marker in the job's directory says this attempt's failure has a
 *       culprit, so no other record is charged for it.
 *   <li>When the task attempt died without naming a culprit (the process was killed, say), every subtask finds its
 *       records still in flight when it opens again in the same job, and charges each of them one failed attempt.
 * </ul>
 *
 * <p>A record's count is the sum over the files of all the operator's subtasks (read when a subtask opens), because
 * a replayed record may reach another subtask. Once it reaches {@code maxAttempts} the record is set aside as a
 * REPEATED_FAILURE dead letter instead of being processed again. A blamed record is set aside after exactly
 * {@code maxAttempts} restarts; an unexplained one after at most one more (a sibling may open before the charge).
 *
 * <p>The ledger survives task restarts and TaskManager processes that die, as long as the subtasks come back on
 * hosts that keep {@code hovle.failures.ledger-dir}; a subtask moved to another host starts a fresh count, and
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

    private static final String SUFFIX = ".attempts";

    /** Failure counts kept at most; the oldest are forgotten first. */
    private static final int MAX_REMEMBERED = 1000;

    private final FileChannel file;
    private final Path jobDir;
    private final int attempt;
    private final int maxAttempts;
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    /** Failure counts in the sibling subtasks' files when this one opened. */
    private final Map<String, Integer> siblingFailures = new HashMap<>();
    private final Set<String> inFlight = new LinkedHashSet<>();

    private RecordAttempts(FileChannel file, Path jobDir, int attempt, int maxAttempts) {
        this.file = file;
        this.jobDir = jobDir;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
    }

    /** The ledger of this subtask attempt of {@code operator} in the running job. */
    public static RecordAttempts forSubtask(RuntimeContext context, String operator, Settings settings)
            throws IOException {
        Path root = settings.dir() != null ? Path.of(settings.dir())
                : Path.of(System.getProperty("java.io.tmpdir"), "hovle-record-attempts");
        return open(root.resolve(context.getJobInfo().getJobId().toString()), operator,
                context.getTaskInfo().getIndexOfThisSubtask(), context.getTaskInfo().getAttemptNumber(),
                settings.maxAttempts());
    }

    /**
     * Opens (or creates) the ledger of {@code subtask} of {@code operator} under {@code jobDir}, at task attempt
     * {@code attempt}: what it had left in flight is charged a failed attempt, unless the previous attempt's failure
     * had a named culprit.
     */
    public static RecordAttempts open(Path jobDir, String operator, int subtask, int attempt, int maxAttempts)
            throws IOException {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, found " + maxAttempts);
        }
        Path dir = Files.createDirectories(jobDir.resolve(operator));
        Path own = dir.resolve("subtask-" + subtask + SUFFIX);
        RecordAttempts ledger = new RecordAttempts(FileChannel.open(own, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), jobDir, attempt, maxAttempts);
        boolean culpritKnown = attempt > 0 && Files.exists(culpritMarker(jobDir, attempt - 1));
        ledger.load(Files.readAllLines(own, StandardCharsets.UTF_8), !culpritKnown);
        ledger.save();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path sibling : siblings) {
                if (!sibling.equals(own)) {
                    parse(Files.readAllLines(sibling, StandardCharsets.UTF_8), ledger.siblingFailures, null);
                }
            }
        }
        return ledger;
    }

    /** Adds a ledger's failure counts to {@code counts} and its records in flight to {@code inFlight} (if given). */
    private static void parse(Iterable<String> lines, Map<String, Integer> counts, Set<String> inFlight) {
        for (String line : lines) {
            String[] f = line.split(" ");
            // A line torn by a crash mid-write is skipped: at worst one failure is not counted.
            if (f.length == 3 && f[0].equals("failed")) {
                try {
                    counts.merge(f[1], Integer.parseInt(f[2]), Integer::sum);
                } catch (NumberFormatException e) {
                    continue;
                }
            } else if (f.length == 2 && f[0].equals("inflight") && inFlight != null) {
                inFlight.add(f[1]);
            }
        }
    }

    private void load(Iterable<String> lines, boolean chargeInFlight) {
        Set<String> leftInFlight = new LinkedHashSet<>();
        parse(lines, failures, leftInFlight);
        if (chargeInFlight) {
            // The last attempt died without naming a culprit: everything it was processing is suspect.
            leftInFlight.forEach(record -> failures.merge(record, 1, Integer::sum));
        }
        while (failures.size() > MAX_REMEMBERED) {
            failures.remove(failures.keySet().iterator().next());
        }
    }

    /** How many attempts at {@code record} ended with the job failing. */
    public synchronized int failures(SourceRecord record) {
        String key = key(record);
        return failures.getOrDefault(key, 0) + siblingFailures.getOrDefault(key, 0);
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

    /**
     * Charges {@code record} the failed attempt it is about to cause, and clears the others in flight of suspicion.
     * Call it just before rethrowing the error that fails the job.
     */
    public synchronized void blame(SourceRecord record) {
        failures.merge(key(record), 1, Integer::sum);
        save();
        try {
            Files.writeString(culpritMarker(jobDir, attempt), key(record) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not mark the culprit of task attempt " + attempt, e);
        }
    }

    private static Path culpritMarker(Path jobDir, int attempt) {
        return jobDir.resolve("culprit-of-attempt-" + attempt);
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
