package dev.hovle.tools.cli;

import dev.hovle.tools.golden.GoldenRow;
import dev.hovle.tools.golden.GoldenVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hovle verify-golden DIR...}: one row per checked quantity, non-zero exit on any failure. */
@Command(name = "verify-golden", description = "Check fixture folders (model cases, image cases, or folders of them) "
        + "against this implementation; prints one row per quantity and exits non-zero on any FAIL.")
final class VerifyGoldenCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "fixture folders")
    List<Path> dirs;

    @Override
    public Integer call() throws Exception {
        List<GoldenRow> rows = new ArrayList<>();
        for (Path dir : dirs) {
            List<GoldenRow> found = GoldenVerifier.verify(dir);
            found.forEach(r -> System.out.println(r.format()));
            rows.addAll(found);
        }
        long failed = rows.stream().filter(r -> !r.passed()).count();
        System.out.printf("%d checked, %d passed, %d failed%n", rows.size(), rows.size() - failed, failed);
        return failed == 0 ? 0 : 1;
    }
}
