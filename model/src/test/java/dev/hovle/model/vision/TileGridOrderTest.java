package dev.hovle.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Candidate grid order (the Python set order) and the closest-aspect choice with its tie rule. */
class TileGridOrderTest {

    @Test
    void ordersCandidatesForMaxSixAsTheGoldenReadme() {
        assertThat(DynamicTiling.candidateGrids(1, 6)).isEqualTo(grids(
                "1,1 1,2 2,1 3,1 1,3 4,1 1,4 2,2 1,5 5,1 6,1 2,3 1,6 3,2"));
    }

    @Test
    void ordersCandidatesForMaxTwelveAsTheGoldenReadme() {
        assertThat(DynamicTiling.candidateGrids(1, 12)).isEqualTo(grids(
                "1,1 1,2 2,1 3,1 1,3 2,2 4,1 1,4 5,1 1,5 1,6 6,1 3,2 2,3 7,1 1,7 4,2 2,4 1,8 8,1 1,9 3,3 9,1 2,5 5,2"
                        + " 10,1 1,10 11,1 1,11 12,1 3,4 4,3 1,12 6,2 2,6"));
    }

    @Test
    void ordersCandidatesAsCPythonForManyRanges() {
        String[] lines = new String(Fixtures.resource("grid_orders.txt"), StandardCharsets.UTF_8).split("\n");
        int checked = 0;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" ", 3);
            int min = Integer.parseInt(parts[0]);
            int max = Integer.parseInt(parts[1]);
            assertThat(DynamicTiling.candidateGrids(min, max)).as("min %d max %d", min, max).isEqualTo(grids(parts[2]));
            checked++;
        }
        assertThat(checked).isGreaterThan(30);
    }

    /** Expected grids computed with the official {@code find_closest_aspect_ratio} under CPython. */
    @ParameterizedTest(name = "{0}x{1} tiles {2}..{3} -> {4}x{5}")
    @CsvSource({
        "120, 300, 1, 6, 1, 3", // golden tall_rocket
        "120, 300, 1, 12, 2, 5",
        "300, 100, 1, 6, 3, 1", // golden wide_coffee
        "160, 80, 1, 6, 2, 1",
        "1000, 1, 1, 6, 6, 1",
        // Ratio 1 ties (1,1) with (2,2): the later one wins only if w·h > 0.5·448²·4 = 401408.
        "633, 633, 1, 6, 1, 1",
        "634, 634, 1, 6, 2, 2",
        // Aspect 1.25 is equally far from 1/2 and 2/1, so the order inside product 2, (1,2) then (2,1), decides:
        // (2,1) replaces (1,2) only if w·h > 0.5·448²·2 = 200704.
        "500, 400, 2, 2, 1, 2",
        "560, 448, 2, 2, 2, 1",
        "448, 560, 2, 2, 1, 2",
    })
    void choosesClosestAspectRatioWithTheOfficialTieRule(int width, int height, int min, int max, int cols, int rows) {
        List<TileGrid> candidates = DynamicTiling.candidateGrids(min, max);

        assertThat(DynamicTiling.closestGrid(width, height, 448, candidates)).isEqualTo(new TileGrid(cols, rows));
    }

    private static List<TileGrid> grids(String pairs) {
        return Arrays.stream(pairs.trim().split(" "))
                .map(p -> p.split(","))
                .map(p -> new TileGrid(Integer.parseInt(p[0]), Integer.parseInt(p[1])))
                .toList();
    }
}
