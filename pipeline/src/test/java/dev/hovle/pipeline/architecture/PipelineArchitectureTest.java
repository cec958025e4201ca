package dev.hovle.pipeline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;

/** The streaming modules' standing rules, executable (the model library has its own). */
class PipelineArchitectureTest {
    /** Main and test classes of both modules, imported once (the rules below hold for both). */
    private static final JavaClasses ALL = new ClassFileImporter().importPackages("dev.hovle.operators",
            "dev.hovle.pipeline");

    @Test
    void operatorsDoNotKnowTheJobsOrKafka() {
        noClasses().that().resideInAPackage("dev.hovle.operators..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hovle.pipeline..", "org.apache.kafka..",
                        "org.apache.flink.connector.kafka..")
                .as("operators are Flink functions: the jobs, Kafka and its connector belong to pipeline/")
                .check(ALL);
    }

    @Test
    void onlyTheBrokerWrapperTouchesKafkasTestKit() {
        noClasses().that().doNotHaveSimpleName("EmbeddedKafka")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.common.test..")
                .as("Kafka's internal test kit is wrapped in one class, EmbeddedKafka").check(ALL);
    }

    @Test
    void noDumpingGroundPackages() {
        noClasses().should().resideInAnyPackage("..util..", "..utils..", "..common..", "..helpers..", "..helper..")
                .as("no util/common/helpers packages").check(ALL);
    }

    @Test
    void integrationTestsRunOnTheMiniClusterExtension() {
        classes().that().haveSimpleNameEndingWith("ITCase").should(declareAMiniClusterExtension()).check(ALL);
    }

    @Test
    void testsWaitOnConditionsNotOnTheClock() {
        noClasses().should().callMethod(Thread.class, "sleep", long.class)
                .as("nothing waits by sleeping: tests wait on conditions with timeouts").check(ALL);
    }

    private static ArchCondition<JavaClass> declareAMiniClusterExtension() {
        return new ArchCondition<>("declare a static MiniClusterExtension field") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                boolean has = item.getFields().stream().anyMatch(f -> f.getRawType().isEquivalentTo(
                        MiniClusterExtension.class) && f.getModifiers().contains(
                        com.tngtech.archunit.core.domain.JavaModifier.STATIC));
                events.add(new SimpleConditionEvent(item, has, item.getName() + (has ? " has" : " lacks")
                        + " a static MiniClusterExtension"));
            }
        };
    }
}
