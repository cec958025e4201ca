package dev.hovle.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.record.SourceRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordAttemptsTest {
    @TempDir
    Path job;

    private final SourceRecord poison = new SourceRecord("hovle.requests", 1, 42, null, null);
    private final SourceRecord innocent = new SourceRecord("hovle.requests", 0, 7, null, null);

    private RecordAttempts open(int subtask, int attempt, int maxAttempts) throws Exception {
        return RecordAttempts.open(job, "prepare", subtask, attempt, maxAttempts);
    }

    @Test
    void setsARecordAsideAfterTheJobDiedWhileItWasInFlightMaxAttemptsTimes() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            RecordAttempts restarted = open(0, attempt, 3);
            assertThat(restarted.exhausted(poison)).as("attempt %d", attempt).isFalse();
            restarted.begin(poison);
            // the process dies here: nothing ends the record, nothing closes the ledger, nobody is blamed
        }
        RecordAttempts fourth = open(0, 3, 3);

        assertThat(fourth.failures(poison)).isEqualTo(3);
        assertThat(fourth.exhausted(poison)).isTrue();
        assertThat(fourth.exhaustedMessage(poison, "request r")).contains("hovle.requests-1@42")
                .contains("failed 3 times");
    }

    @Test
    void chargesNothingToRecordsThatEndedBeforeTheFailure() throws Exception {
        RecordAttempts first = open(0, 0, 3);
        first.begin(innocent);
        first.end(innocent);
        first.begin(poison);

        RecordAttempts second = open(0, 1, 3);

        assertThat(second.failures(innocent)).isZero();
        assertThat(second.failures(poison)).isEqualTo(1);
    }

    @Test
    void chargesOnlyTheBlamedRecordWhenAnySubtaskNamedACulprit() throws Exception {
        RecordAttempts subtask0 = open(0, 0, 3);
        RecordAttempts subtask1 = open(1, 0, 3);
        subtask0.begin(innocent);
        subtask1.begin(poison);
        subtask1.blame(poison);

        RecordAttempts subtask0Again = open(0, 1, 3);

        assertThat(subtask0Again.failures(innocent)).as("in flight beside the culprit").isZero();
        assertThat(subtask0Again.failures(poison)).isEqualTo(1);
    }

    @Test
    void countsFailuresARecordCausedInAnotherSubtask() throws Exception {
        RecordAttempts subtask0 = open(0, 0, 2);
        subtask0.begin(poison);
        subtask0.blame(poison);
        // After the restart the replayed record reaches subtask 1, and fails the job there too.
        RecordAttempts subtask1 = open(1, 1, 2);
        assertThat(subtask1.exhausted(poison)).isFalse();
        subtask1.begin(poison);
        subtask1.blame(poison);

        RecordAttempts thirdTry = open(0, 2, 2);

        assertThat(thirdTry.failures(poison)).isEqualTo(2);
        assertThat(thirdTry.exhausted(poison)).isTrue();
    }

    @Test
    void keepsCountsAcrossRestartsThatCompleteNormally() throws Exception {
        open(1, 0, 3).begin(poison);
        RecordAttempts second = open(1, 1, 3);
        second.begin(innocent);
        second.end(innocent);
        second.close();

        assertThat(open(1, 2, 3).failures(poison)).isEqualTo(1);
    }
}
