package dev.hovle.model.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The model library's standing rules, executable. */
@AnalyzeClasses(packages = "dev.hovle", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule modelDependsOnNoFlinkOrKafka = noClasses()
            .that().resideInAPackage("dev.hovle.model..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
            .as("the model library imports nothing from Flink or Kafka");

    @ArchTest
    static final ArchRule modelImportsNoCommandLineLibrary = noClasses()
            .that().resideInAPackage("dev.hovle.model..")
            .should().dependOnClassesThat().resideInAnyPackage("picocli..", "me.tongfei..")
            .as("the model library imports no command-line or progress-bar library: tools/ holds the command line");

    @ArchTest
    static final ArchRule noDumpingGroundPackages = noClasses()
            .should().resideInAnyPackage("..util..", "..utils..", "..common..", "..helpers..", "..helper..")
            .as("no util/common/helpers packages: each helper belongs to the package that uses it");

    @ArchTest
    static final ArchRule noJUnit4 = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.junit", "junit..")
            .as("JUnit 4 is not used");
}
