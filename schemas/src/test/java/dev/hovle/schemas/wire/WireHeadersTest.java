package dev.hovle.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.schemas.Topic;
import org.junit.jupiter.api.Test;

class WireHeadersTest {

    @Test
    void listsEveryTopicWithItsFingerprintAndHeader() {
        String table = WireHeaders.table();

        assertThat(table.lines()).hasSize(1 + Topic.values().length);
        for (Topic topic : Topic.values()) {
            SchemaFingerprint fingerprint = SchemaFingerprint.of(topic.schema());
            assertThat(table).containsPattern(topic.defaultName() + " +" + topic.recordType().getSimpleName()
                    + " +" + fingerprint.toHex() + " +" + java.util.regex.Pattern.quote(fingerprint.headerAsPrintf()));
        }
    }
}
