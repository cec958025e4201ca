package dev.hovle.pipeline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigurationReferenceTest {

    @Test
    void deployDocumentHoldsTheTableOfEveryOption() throws Exception {
        String document = Files.readString(Path.of("..", "deploy", "configuration.md"));

        assertThat(document).as("deploy/configuration.md is stale: paste the output of ./hovle options")
                .contains(ConfigurationReference.table(InferenceOptions.class))
                .contains(ConfigurationReference.table(dev.hovle.pipeline.training.TrainingOptions.class));
    }

    @Test
    void listsEveryOptionWithItsDefault() {
        String table = ConfigurationReference.table(InferenceOptions.class);

        assertThat(table).contains("| `hovle.images.wait` | Duration | `30 s` |")
                .contains("| `hovle.model.dir` | String | (none) |")
                .contains("enum: CONTINUOUS_BATCHING, SEQUENTIAL");
    }
}
