package dev.hovle.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicTest {

    @Test
    void carriesTheDesignedRecordOnEachDefaultName() {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            byName.put(topic.defaultName(), topic.recordType());
        }

        assertThat(byName).containsExactly(
                Map.entry("hovle.images", ImageEvent.class),
                Map.entry("hovle.requests", VlmRequest.class),
                Map.entry("hovle.results", VlmResult.class),
                Map.entry("hovle.samples", TrainingSample.class),
                Map.entry("hovle.model-updates", ModelUpdate.class),
                Map.entry("hovle.dlq", DeadLetter.class));
    }

    @Test
    void exposesTheGeneratedSchema() {
        assertThat(Arrays.stream(Topic.values()).map(Topic::schema))
                .containsExactly(ImageEvent.getClassSchema(), VlmRequest.getClassSchema(),
                        VlmResult.getClassSchema(), TrainingSample.getClassSchema(),
                        ModelUpdate.getClassSchema(), DeadLetter.getClassSchema());
    }
}
