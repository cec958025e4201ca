package dev.hovle.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.schemas.VlmResult;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaFingerprintTest {

    private final SchemaFingerprint fingerprint = new SchemaFingerprint(0x0123456789ABCDEFL);

    @Test
    void writesHexInWireOrder() {
        assertThat(fingerprint.toHex()).isEqualTo("efcdab8967452301");
        assertThat(fingerprint).hasToString("efcdab8967452301");
        assertThat(SchemaFingerprint.parseHex("efcdab8967452301")).isEqualTo(fingerprint);
    }

    @Test
    void prefixesTheMarkerToFormTheHeader() {
        assertThat(fingerprint.header()).containsExactly(
                0xC3, 0x01, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01);
        assertThat(fingerprint.headerAsPrintf())
                .isEqualTo("\\xc3\\x01\\xef\\xcd\\xab\\x89\\x67\\x45\\x23\\x01");
    }

    @Test
    void readsTheFingerprintFromAMessageHeader() {
        byte[] message = Arrays.copyOf(fingerprint.header(), 14);

        assertThat(SchemaFingerprint.ofMessage(message)).contains(fingerprint);
        assertThat(SchemaFingerprint.ofMessage(Arrays.copyOf(message, 9))).isEmpty();
        assertThat(SchemaFingerprint.ofMessage("not avro at all".getBytes())).isEmpty();
        assertThat(SchemaFingerprint.ofMessage(null)).isEmpty();
    }

    @Test
    void keepsTheFingerprintWhenOnlyDocsChange() {
        Schema current = VlmResult.getClassSchema();
        Schema redocumented = new Schema.Parser().parse(current.toString()
                .replace("The generated caption or answer", "The caption or answer the model generated"));
        assertThat(redocumented.getField("text").doc()).startsWith("The caption or answer");

        assertThat(SchemaFingerprint.of(redocumented)).isEqualTo(SchemaFingerprint.of(current));
    }

    @Test
    void changesTheFingerprintWhenAFieldIsAdded() {
        assertThat(SchemaFingerprint.of(SchemaEvolutionTest.vlmResultV1()))
                .isNotEqualTo(SchemaFingerprint.of(VlmResult.getClassSchema()));
    }
}
