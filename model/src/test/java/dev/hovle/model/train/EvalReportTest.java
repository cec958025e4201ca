package dev.hovle.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvalReportTest {

    @Test
    void summarisesEachKindOfQuestionWhenTheDatasetKnowsThem() {
        EvalReport shapes = new EvalReport(0.5, 2, 2, 6, 4, List.of(), List.of(
                new EvalReport.KindScore("caption", 2, 2), new EvalReport.KindScore("count", 2, 2),
                new EvalReport.KindScore("colour", 2, 1), new EvalReport.KindScore("position", 2, 1)));
        assertThat(shapes.summary()).isEqualTo("eval loss 0.5000 | captions 2/2 (100.0%) | answers 4/6 (66.7%) | "
                + "caption 2/2, count 2/2, colour 1/2, position 1/2");
    }

    @Test
    void keepsTheShortLineForCaptionsAndAnswersAlone() {
        EvalReport folder = new EvalReport(0.5, 1, 0, 3, 3, List.of(), List.of(
                new EvalReport.KindScore("caption", 1, 0), new EvalReport.KindScore("answer", 3, 3)));
        assertThat(folder.summary()).isEqualTo("eval loss 0.5000 | captions 0/1 (0.0%) | answers 3/3 (100.0%)");
    }
}
