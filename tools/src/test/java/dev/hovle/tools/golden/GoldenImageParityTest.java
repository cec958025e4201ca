package dev.hovle.tools.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoldenImageParityTest {

    @Test
    void reproducesEveryOfficialTileAndPixelValue() throws Exception {
        List<GoldenRow> rows = GoldenVerifier.verify(TestModels.goldenRoot().resolve("preprocess"));
        rows.forEach(r -> System.out.println(r.format()));
        assertThat(rows).hasSizeGreaterThan(10).allSatisfy(r -> assertThat(r.passed()).as(r.format()).isTrue());
    }
}
