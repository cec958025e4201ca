package dev.hovle.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Checks the conventions every event schema promises its readers, over all types reachable from the topics. */
class SchemaContractTest {

    private final Map<String, Schema> namedTypes = namedTypes();

    @Test
    void documentsEveryTypeAndField() {
        List<String> undocumented = new ArrayList<>();
        for (Schema type : namedTypes.values()) {
            if (isBlank(type.getDoc())) {
                undocumented.add(type.getFullName());
            }
            if (type.getType() == Schema.Type.RECORD) {
                type.getFields().stream().filter(field -> isBlank(field.doc()))
                        .forEach(field -> undocumented.add(type.getFullName() + "." + field.name()));
            }
        }
        assertThat(undocumented).isEmpty();
    }

    @Test
    void fallsBackToUnknownForEveryEnumSymbolAddedLater() {
        for (Schema type : namedTypes.values()) {
            if (type.getType() == Schema.Type.ENUM) {
                assertThat(type.getEnumDefault()).as(type.getFullName()).isEqualTo("UNKNOWN");
                assertThat(type.getEnumSymbols()).as(type.getFullName()).startsWith("UNKNOWN");
            }
        }
    }

    @Test
    void defaultsEveryOptionalFieldToNull() {
        for (Schema type : namedTypes.values()) {
            if (type.getType() != Schema.Type.RECORD) {
                continue;
            }
            for (Schema.Field field : type.getFields()) {
                if (field.schema().isNullable()) {
                    assertThat(field.schema().getTypes().get(0).getType())
                            .as(type.getName() + "." + field.name()).isEqualTo(Schema.Type.NULL);
                    assertThat(field.defaultVal())
                            .as(type.getName() + "." + field.name()).isEqualTo(JsonProperties.NULL_VALUE);
                }
            }
        }
    }

    @Test
    void definesEachSharedTypeOnce() {
        // namedTypes() fails on two different definitions under one name; here: the shared ones are really shared.
        Schema inRequest = VlmRequest.getClassSchema().getField("images").schema().getElementType();
        Schema inSample = TrainingSample.getClassSchema().getField("images").schema().getElementType();
        assertThat(inRequest).isEqualTo(inSample).isEqualTo(InlineImage.getClassSchema());
        assertThat(VlmRequest.getClassSchema().getField("task").schema())
                .isEqualTo(VlmResult.getClassSchema().getField("task").schema());
        assertThat(TrainingSample.getClassSchema().getField("stage").schema())
                .isEqualTo(ModelUpdate.getClassSchema().getField("stage").schema());
    }

    @Test
    void keepsEveryTypeInTheSchemasNamespace() {
        assertThat(namedTypes.values()).allSatisfy(type ->
                assertThat(type.getNamespace()).as(type.getFullName()).isEqualTo("dev.hovle.schemas"));
    }

    private static Map<String, Schema> namedTypes() {
        Map<String, Schema> types = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            collect(topic.schema(), types);
        }
        return types;
    }

    private static void collect(Schema schema, Map<String, Schema> types) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                Schema seen = types.putIfAbsent(schema.getFullName(), schema);
                if (seen != null) {
                    assertThat(schema).as("every definition of " + schema.getFullName()).isEqualTo(seen);
                    return;
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    schema.getFields().forEach(field -> collect(field.schema(), types));
                }
            }
            case ARRAY -> collect(schema.getElementType(), types);
            case MAP -> collect(schema.getValueType(), types);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, types));
            default -> {
            }
        }
    }

    private static boolean isBlank(String doc) {
        return doc == null || doc.isBlank();
    }
}
