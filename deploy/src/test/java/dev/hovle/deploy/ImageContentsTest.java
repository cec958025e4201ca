package dev.hovle.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What deploy/Dockerfile copies into Flink's lib/: the jobs' runtime jars, nothing a cluster has or a job never uses. */
class ImageContentsTest {
    private static final Path LIB = Path.of("../pipeline/target/lib");

    @Test
    void shipsTheJobsRuntimeWithoutFlinkToolsOrTestKits() throws IOException {
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("COPY pipeline/target/lib/ /opt/flink/lib/")
                .as("the SQL provider beside the jobs' libraries").contains("COPY sql/target/hovle-sql-*.jar /opt/flink/lib/");
        List<String> jars;
        try (Stream<Path> files = Files.list(LIB)) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }

        assertThat(jars).as("the jobs' own libraries and connectors")
                .anyMatch(n -> n.startsWith("hovle-model-")).anyMatch(n -> n.startsWith("hovle-operators-"))
                .anyMatch(n -> n.startsWith("hovle-schemas-")).anyMatch(n -> n.startsWith("flink-connector-kafka-"))
                .anyMatch(n -> n.startsWith("pytorch-engine-"));
        assertThat(jars).as("the cluster's Flink, the command line and test kits stay out")
                .noneMatch(n -> n.startsWith("flink-streaming-java") || n.startsWith("flink-runtime")
                        || n.startsWith("flink-clients") || n.startsWith("flink-core"))
                .noneMatch(n -> n.startsWith("hovle-tools") || n.startsWith("hovle-testkit")
                        || n.startsWith("hovle-pipeline"))
                .noneMatch(n -> n.startsWith("picocli") || n.startsWith("progressbar") || n.startsWith("jline"))
                .noneMatch(n -> n.startsWith("kafka-test-common") || n.startsWith("kafka_2") || n.startsWith("kafka-server")
                        || n.startsWith("junit") || n.startsWith("slf4j-simple"));
    }
}
