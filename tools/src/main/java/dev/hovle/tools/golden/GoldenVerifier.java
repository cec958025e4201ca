package dev.hovle.tools.golden;

import dev.hovle.model.vision.InvalidImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks folders in the golden fixture format against the model library: a model case, an image preprocessing
 * case, or a folder holding either kind (searched recursively). Folders it has never seen work the same way, as long
 * as they follow the fixtures' README.
 */
public final class GoldenVerifier {
    private GoldenVerifier() {}

    /** Every row of every case found under {@code root}. */
    public static List<GoldenRow> verify(Path root) throws IOException {
        List<GoldenRow> rows = new ArrayList<>();
        for (Path dir : caseDirectories(root)) {
            try {
                if (GoldenModelCase.isModelCase(dir)) {
                    rows.addAll(GoldenModelCase.verify(dir));
                } else if (GoldenImageCase.isImageCase(dir)) {
                    rows.addAll(GoldenImageCase.verify(dir));
                } else {
                    rows.add(GoldenRow.error(dir.getFileName().toString(), "case",
                            new IOException("case.json is neither a model case nor an image case")));
                }
            } catch (IOException | RuntimeException | InvalidImageException e) {
                rows.add(GoldenRow.error(dir.getFileName().toString(), "case", e));
            }
        }
        if (rows.isEmpty()) {
            throw new IOException("no golden case (a folder with case.json) under " + root);
        }
        return rows;
    }

    static List<Path> caseDirectories(Path root) throws IOException {
        if (Files.exists(root.resolve("case.json"))) {
            return List.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> Files.exists(p.resolve("case.json"))).sorted().toList();
        }
    }
}
