package dev.hovle.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.training.TrainingOptions;
import dev.hovle.tools.cluster.FlinkImage;
import dev.hovle.tools.cluster.LocalCluster;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * What {@code ClusterFaultsITCase} proved on real processes is what ships: the Dockerfile copies the jars from where
 * {@code hovle cluster} takes them, and the Kubernetes manifests run the same job jar and entry classes with the same
 * image configuration and only options the jobs declare.
 */
class ClusterMatchesImageTest {
    private static final Path KUBERNETES = Path.of("kubernetes");
    private static final Map<String, LocalCluster.JobKind> MANIFESTS = Map.of(
            "flink-inference.yaml", LocalCluster.JobKind.INFERENCE,
            "flink-training.yaml", LocalCluster.JobKind.TRAINING);

    @Test
    void theDockerfileCopiesTheJarsTheClusterTestRuns() throws IOException {
        Map<String, String> copies = new LinkedHashMap<>();
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(Files.readString(Path.of("Dockerfile")));
        while (copy.find()) {
            copies.put(copy.group(1), copy.group(2));
        }
        assertThat(copies).isEqualTo(FlinkImage.SOURCES);
    }

    @Test
    void theManifestsRunTheJobJarAndEntryClassesTheClusterTestRuns() throws IOException {
        String jar = "local://" + FlinkImage.SOURCES.get("pipeline/target/hovle-pipeline-*.jar");
        for (Map.Entry<String, LocalCluster.JobKind> manifest : MANIFESTS.entrySet()) {
            JsonNode job = deployment(manifest.getKey()).path("spec").path("job");
            assertThat(job.path("jarURI").asText()).as(manifest.getKey()).isEqualTo(jar);
            assertThat(job.path("entryClass").asText()).as(manifest.getKey())
                    .isEqualTo(manifest.getValue().entryClass());
        }
    }

    @Test
    void theManifestsHaveTheImageConfigurationTheClusterTestRuns() throws IOException {
        for (String manifest : MANIFESTS.keySet()) {
            JsonNode flink = deployment(manifest).path("spec").path("flinkConfiguration");
            LocalCluster.IMAGE_CONFIGURATION.forEach((key, value) ->
                    assertThat(flink.path(key).asText()).as(manifest + " " + key).isEqualTo(value));
            assertThat(flink.path("env.java.opts.taskmanager").asText()).as(manifest)
                    .contains(LocalCluster.TASK_MANAGER_JAVA_OPTIONS);
        }
    }

    @Test
    void theManifestsSetOnlyOptionsTheJobsDeclare() throws Exception {
        Set<String> declared = new TreeSet<>();
        declared.addAll(keys(InferenceOptions.class));
        declared.addAll(keys(TrainingOptions.class));
        for (String manifest : MANIFESTS.keySet()) {
            deployment(manifest).path("spec").path("flinkConfiguration").fieldNames().forEachRemaining(key -> {
                if (key.startsWith("hovle.")) {
                    assertThat(declared).as(manifest + " sets " + key).contains(key);
                }
            });
        }
    }

    private static JsonNode deployment(String file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(KUBERNETES.resolve(file).toFile());
    }

    private static Set<String> keys(Class<?> options) throws IllegalAccessException {
        Set<String> keys = new TreeSet<>();
        for (Field field : options.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                keys.add(((ConfigOption<?>) field.get(null)).key());
            }
        }
        return keys;
    }
}
