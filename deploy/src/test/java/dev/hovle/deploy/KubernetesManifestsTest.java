package dev.hovle.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in deploy/kubernetes validates against the real CRD schema of its kind (the operators' published
 * CRDs, copied under shared/deploy-crds), with unknown fields refused: Kubernetes would silently prune a misspelt
 * field, which is worse than an error.
 */
class KubernetesManifestsTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, JsonSchema> SCHEMAS = new HashMap<>();

    @BeforeAll
    static void loadCrds() throws IOException {
        Path crds = Path.of(System.getProperty("hovle.crd.dir", "../../shared/deploy-crds"));
        try (Stream<Path> files = Files.list(crds)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList()) {
                JsonNode crd = YAML.readTree(f.toFile());
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    ObjectNode schema = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
                    // Kubernetes accepts these on every object whether or not a CRD's schema lists them.
                    ObjectNode properties = schema.with("properties");
                    properties.putIfAbsent("apiVersion", YAML.createObjectNode().put("type", "string"));
                    properties.putIfAbsent("kind", YAML.createObjectNode().put("type", "string"));
                    properties.putIfAbsent("metadata", YAML.createObjectNode().put("type", "object"));
                    strict(schema);
                    SCHEMAS.put(group + "/" + version.path("name").asText() + ":" + kind,
                            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema));
                }
            }
        }
    }

    /** Refuses properties a structural schema does not list, unless it preserves unknown fields. */
    private static void strict(ObjectNode node) {
        if (node.has("properties") && !node.has("additionalProperties")
                && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            node.put("additionalProperties", false);
        }
        if (node.path("x-kubernetes-int-or-string").asBoolean(false)) {
            node.remove("type");
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode child = it.next();
            if (child instanceof ObjectNode o) {
                strict(o);
            } else if (child.isArray()) {
                child.forEach(c -> {
                    if (c instanceof ObjectNode o) {
                        strict(o);
                    }
                });
            }
        }
    }

    private static List<JsonNode> documents() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("kubernetes"))) {
            for (Path f : files.sorted().toList()) {
                try (var parser = new YAMLFactory().createParser(f.toFile())) {
                    YAML.readValues(parser, JsonNode.class).readAll().stream().filter(d -> !d.isNull()).forEach(docs::add);
                }
            }
        }
        return docs;
    }

    @Test
    void everyManifestConformsToItsOperatorsSchema() throws IOException {
        List<JsonNode> docs = documents();
        assertThat(docs).extracting(d -> d.path("kind").asText())
                .contains("Kafka", "KafkaNodePool", "KafkaTopic", "FlinkDeployment");
        for (JsonNode doc : docs) {
            String key = doc.path("apiVersion").asText() + ":" + doc.path("kind").asText();
            assertThat(SCHEMAS).as("a CRD for " + key).containsKey(key);
            Set<ValidationMessage> errors = SCHEMAS.get(key).validate(doc);
            assertThat(errors).as(key + " " + doc.path("metadata").path("name").asText()).isEmpty();
        }
    }

    @Test
    void aMisspeltFieldIsRefused() throws IOException {
        JsonNode topic = documents().stream().filter(d -> d.path("kind").asText().equals("KafkaTopic")).findFirst()
                .orElseThrow().deepCopy();
        ((ObjectNode) topic.path("spec")).put("partitons", 3);
        assertThat(SCHEMAS.get("kafka.strimzi.io/v1:KafkaTopic").validate(topic)).isNotEmpty();
    }

    @Test
    void declaresEveryTopicThePipelineUses() throws IOException {
        List<String> topics = documents().stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .map(d -> d.path("metadata").path("name").asText()).toList();
        for (dev.hovle.schemas.Topic topic : dev.hovle.schemas.Topic.values()) {
            assertThat(topics).contains(topic.defaultName());
        }
    }

    @Test
    void theFlinkJobsEntryClassHasAMainMethod() throws Exception {
        for (JsonNode doc : documents()) {
            if (doc.path("kind").asText().equals("FlinkDeployment")) {
                String entry = doc.path("spec").path("job").path("entryClass").asText();
                assertThat(Class.forName(entry).getMethod("main", String[].class)).isNotNull();
            }
        }
    }

    @Test
    void everyFlinkJobCheckpointsToADirectory() throws IOException {
        for (JsonNode doc : documents()) {
            if (doc.path("kind").asText().equals("FlinkDeployment")) {
                // The jobs' main refuses to start without it (JobConfiguration.requireDurableCheckpoints).
                assertThat(doc.path("spec").path("flinkConfiguration").path("execution.checkpointing.dir").asText())
                        .as("execution.checkpointing.dir of " + doc.path("metadata").path("name").asText())
                        .isNotBlank();
            }
        }
    }
}
