package dev.hovle.operators.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.operators.training.TrainerProgress.ServingVersion;
import org.junit.jupiter.api.Test;

class TrainerProgressTest {
    private static final ServingVersion ROOT = new ServingVersion("tiny", null, scores(6.9));
    private static final ServingVersion V1 = new ServingVersion("r-000025", "tiny", scores(3.0));
    private static final ServingVersion V2 = new ServingVersion("r-000050", "r-000025", scores(1.5));

    @Test
    void returnsTheGateBarToTheParentWhenTheServingVersionIsRolledBack() {
        TrainerProgress progress = TrainerProgress.start("r").serving(ROOT).serving(V1).serving(V2);

        TrainerProgress back = progress.rolledBack("r-000050");

        assertThat(back.serving()).isEqualTo(V1);
        assertThat(back.promoted()).doesNotContainKey("r-000050");
        assertThat(back.rolledBack("r-000025").serving()).isEqualTo(ROOT);
    }

    @Test
    void ignoresARollbackOfAVersionThatIsNotServing() {
        TrainerProgress progress = TrainerProgress.start("r").serving(ROOT).serving(V1).serving(V2);

        assertThat(progress.rolledBack("r-000025")).isEqualTo(progress);
        assertThat(TrainerProgress.start("r").rolledBack("anything").serving()).isNull();
    }

    private static EvalScores scores(double loss) {
        return new EvalScores(loss, Double.NaN, Double.NaN, Double.NaN, 8);
    }
}
