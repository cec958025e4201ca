package dev.hovle.tools.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.hovle.schemas.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The project's layout, executable: what a deployed job may depend on, no package cycles, and the picture in
 * {@code docs/architecture.md} naming the modules and topics the build and the code have.
 */
class LayoutTest {
    /** Main classes of every module (this one is the only module that sees them all), without test classes or jars. */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.hovle");
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void jobsAndTheLibraryImportNoToolOrTestKitCode() {
        noClasses().that().resideInAnyPackage("dev.hovle.schemas..", "dev.hovle.model..", "dev.hovle.operators..",
                        "dev.hovle.pipeline..", "dev.hovle.sql..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hovle.tools..", "dev.hovle.testkit..",
                        "org.apache.kafka.common.test..", "picocli..", "me.tongfei..")
                .as("what ships in the Flink image or to library users needs no command line, broker kit or "
                        + "progress bar")
                .check(MAIN);
    }

    @Test
    void theWebPageIsAReaderOfTheTopicsNotPartOfTheJobs() {
        noClasses().that().resideInAnyPackage("dev.hovle.schemas..", "dev.hovle.model..", "dev.hovle.operators..",
                        "dev.hovle.pipeline..")
                .should().dependOnClassesThat().resideInAPackage("dev.hovle.web..")
                .as("the jobs run without the page").check(MAIN);
        noClasses().that().resideInAPackage("dev.hovle.web..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hovle.tools..", "dev.hovle.testkit..",
                        "picocli..")
                .as("the page runs beside any deployment, not only hovle run").check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.hovle.(**)").should().beFreeOfCycles().as("packages depend one way").check(MAIN);
    }

    @Test
    void architecturePageListsTheBuildsModules() throws IOException {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1) + "/");
        }

        assertThat(firstColumn(section("## Modules"))).containsExactlyElementsOf(modules);
    }

    @Test
    void architecturePageListsTheTopicsTheCodeAndTheManifestsName() throws IOException {
        List<String> inCode = Arrays.stream(Topic.values()).map(Topic::defaultName).toList();
        List<String> inManifests = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  name: (\\S+)$")
                .matcher(Files.readString(ROOT.resolve("deploy/kubernetes/topics.yaml")));
        while (m.find()) {
            inManifests.add(m.group(1));
        }

        assertThat(firstColumn(section("## Topics"))).containsExactlyInAnyOrderElementsOf(inCode);
        assertThat(inManifests).containsExactlyInAnyOrderElementsOf(inCode);
    }

    /** The lines of {@code docs/architecture.md} under {@code heading}, up to the next heading. */
    private static List<String> section(String heading) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("docs/architecture.md"));
        int start = lines.indexOf(heading);
        assertThat(start).as("docs/architecture.md has a '%s' section", heading).isNotNegative();
        List<String> body = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            body.add(line);
        }
        return body;
    }

    /** The backticked first cells of a markdown table's rows. */
    private static List<String> firstColumn(List<String> lines) {
        Pattern cell = Pattern.compile("^\\| `([^`]+)` \\|");
        return lines.stream().map(cell::matcher).filter(Matcher::find).map(x -> x.group(1)).toList();
    }
}
