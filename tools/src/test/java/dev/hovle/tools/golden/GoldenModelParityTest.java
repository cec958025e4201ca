package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoldenModelParityTest {

    @Test
    void reproducesEveryOfficialModelOutput() throws Exception {
        List<GoldenRow> rows = GoldenVerifier.verify(dev.hovle.model.TestModels.goldenRoot().resolve("models"));
        rows.forEach(r -> System.out.println(r.format()));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.passed()).as(r.format()).isTrue());
    }
}
