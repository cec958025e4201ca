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
    private void dieWhileProcessing(String subtask, SourceRecord record) throws Exception {
        RecordAttempts attempt = RecordAttempts.open(dir, subtask, 3);
        attempt.begin(record);
    }

    @Test
    void setsARecordAsideAfterTheJobFailedWhileItWasInFlightMaxAttemptsTimes() throws Exception {
        for (int failure = 1; failure <= 3; failure++) {
            RecordAttempts restarted = RecordAttempts.open(dir, "subtask-0", 3);
            assertThat(restarted.exhausted(poison)).as("before failure %d", failure).isFalse();
            restarted.begin(poison);
            // the task dies here: nothing ends the record, nothing closes the ledger
        }
        RecordAttempts afterThird = RecordAttempts.open(dir, "subtask-0", 3);

        assertThat(afterThird.failures(poison)).isEqualTo(3);
        assertThat(afterThird.exhausted(poison)).isTrue();
        assertThat(afterThird.exhaustedMessage(poison, "request r")).contains("hovle.requests-1@42")
                .contains("failed 3 times");
    }

    @Test
    void chargesNothingToRecordsThatEndedBeforeTheFailure() throws Exception {
        RecordAttempts first = RecordAttempts.open(dir, "subtask-0", 3);
        first.begin(innocent);
        first.end(innocent);
        first.begin(poison);

        RecordAttempts second = RecordAttempts.open(dir, "subtask-0", 3);

        assertThat(second.failures(innocent)).isZero();
        assertThat(second.failures(poison)).isEqualTo(1);
    }

    @Test
    void chargesOnlyTheBlamedRecordWhenOneWasBlamed() throws Exception {
        RecordAttempts first = RecordAttempts.open(dir, "subtask-0", 3);
        first.begin(innocent);
        first.begin(poison);
        first.blame(poison);

        RecordAttempts second = RecordAttempts.open(dir, "subtask-0", 3);

        assertThat(second.failures(poison)).isEqualTo(1);
        assertThat(second.failures(innocent)).isZero();
    }

    @Test
    void countsFailuresARecordCausedInAnotherSubtask() throws Exception {
        RecordAttempts subtask0 = RecordAttempts.open(dir, "subtask-0", 2);
        subtask0.begin(poison);
        subtask0.blame(poison);
        // After the restart the replayed record reaches subtask 1, and fails the job there too.
        RecordAttempts subtask1 = RecordAttempts.open(dir, "subtask-1", 2);
        assertThat(subtask1.exhausted(poison)).isFalse();
        subtask1.begin(poison);
        subtask1.blame(poison);

        RecordAttempts thirdTry = RecordAttempts.open(dir, "subtask-0", 2);

        assertThat(thirdTry.failures(poison)).isEqualTo(2);
        assertThat(thirdTry.exhausted(poison)).isTrue();
    }

    @Test
    void keepsCountsAcrossRestartsThatCompleteNormally() throws Exception {
        dieWhileProcessing("subtask-1", poison);
        RecordAttempts second = RecordAttempts.open(dir, "subtask-1", 3);
        second.begin(innocent);
        second.end(innocent);
        second.close();

        assertThat(RecordAttempts.open(dir, "subtask-1", 3).failures(poison)).isEqualTo(1);
    }
}
