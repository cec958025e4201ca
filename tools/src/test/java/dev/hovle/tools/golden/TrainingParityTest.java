package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer's loss and gradient norms against the official backward of every golden model case. */
class TrainingParityTest {

    @Test
    void matchesOfficialLossAndGradientNormsInBothRegimes() throws Exception {
        List<GoldenRow> rows = GoldenVerifier.verify(TestModels.goldenRoot().resolve("models")).stream()
                .filter(r -> r.quantity().startsWith("grad_norm.") || r.quantity().startsWith("train_loss"))
                .toList();
        rows.forEach(r -> System.out.println(r.format()));
        assertThat(rows).anyMatch(r -> r.quantity().startsWith("grad_norm.llm_frozen."))
                .anyMatch(r -> r.quantity().startsWith("grad_norm.all_trainable."))
                .anyMatch(r -> r.quantity().endsWith("(no gradient)"))
                .allSatisfy(r -> assertThat(r.passed()).as(r.format()).isTrue());
    }
}
