package dev.hovle.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.inference.SourceRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordAttemptsTest {
    @TempDir
    Path dir;

    private final SourceRecord poison = new SourceRecord("hovle.requests", 1, 42, null, null);
    private final SourceRecord innocent = new SourceRecord("hovle.requests", 0, 7, null, null);

    /** A task attempt that begins {@code record} and dies without ending it (the ledger is just not closed). */
    private void dieWhileProcessing(Path file, SourceRecord record) throws Exception {
        RecordAttempts attempt = RecordAttempts.open(file, 3);
        attempt.begin(record);
    }

    @Test
    void setsARecordAsideAfterTheJobFailedWhileItWasInFlightMaxAttemptsTimes() throws Exception {
        Path file = dir.resolve("prepare-0.attempts");
        for (int failure = 1; failure <= 3; failure++) {
            RecordAttempts restarted = RecordAttempts.open(file, 3);
            assertThat(restarted.exhausted(poison)).as("before failure %d", failure).isFalse();
            restarted.begin(poison);
            // the task dies here: nothing ends the record, nothing closes the ledger
        }
        RecordAttempts afterThird = RecordAttempts.open(file, 3);

        assertThat(afterThird.failures(poison)).isEqualTo(3);
        assertThat(afterThird.exhausted(poison)).isTrue();
        assertThat(afterThird.exhaustedMessage(poison, "request r")).contains("hovle.requests-1@42")
                .contains("failed 3 times");
    }

    @Test
    void chargesNothingToRecordsThatEndedBeforeTheFailure() throws Exception {
        Path file = dir.resolve("prepare-0.attempts");
        RecordAttempts first = RecordAttempts.open(file, 3);
        first.begin(innocent);
        first.end(innocent);
        first.begin(poison);

        RecordAttempts second = RecordAttempts.open(file, 3);

        assertThat(second.failures(innocent)).isZero();
        assertThat(second.failures(poison)).isEqualTo(1);
    }

    @Test
    void chargesOnlyTheBlamedRecordWhenOneWasBlamed() throws Exception {
        Path file = dir.resolve("generate-0.attempts");
        RecordAttempts first = RecordAttempts.open(file, 3);
        first.begin(innocent);
        first.begin(poison);
        first.blame(poison);

        RecordAttempts second = RecordAttempts.open(file, 3);

        assertThat(second.failures(poison)).isEqualTo(1);
        assertThat(second.failures(innocent)).isZero();
    }

    @Test
    void keepsCountsAcrossRestartsThatCompleteNormally() throws Exception {
        Path file = dir.resolve("prepare-1.attempts");
        dieWhileProcessing(file, poison);
        RecordAttempts second = RecordAttempts.open(file, 3);
        second.begin(innocent);
        second.end(innocent);
        second.close();

        assertThat(RecordAttempts.open(file, 3).failures(poison)).isEqualTo(1);
    }
}
