package dev.hovle.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.TestModels;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class HoVLEConfigTest {

    private static ObjectNode goldenJson() throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(Files.readString(TestModels.goldenCase().resolve("config.json")));
    }

    @Test
    void readsEveryValueTheModelNeedsFromTheFile() throws Exception {
        HoVLEConfig c = HoVLEConfig.read(TestModels.goldenCase());
        assertThat(c.llm().transformer().hiddenSize()).isEqualTo(64);
        assertThat(c.llm().transformer().headDim()).isEqualTo(16);
        assertThat(c.llm().transformer().queriesPerKvHead()).isEqualTo(2);
        assertThat(c.llm().transformer().rope().theta()).isEqualTo(1_000_000);
        assertThat(c.llm().transformer().rope().dynamicScalingFactor()).contains(2.0);
        assertThat(c.embedding().transformer().rope().theta()).isEqualTo(10_000);
        assertThat(c.embedding().transformer().rope().dynamicScalingFactor()).isEmpty();
        assertThat(c.embedding().pixelShuffleLocation()).isEqualTo(PixelShuffleLocation.PRE);
        assertThat(c.embedding().imgContextTokenId()).isEqualTo(313);
        assertThat(c.tokensPerTile()).isEqualTo(4);
        assertThat(c.template()).isEqualTo("internlm2-chat");
        assertThat(c.imageSize()).isEqualTo(56);
        assertThat(c.maxDynamicPatch()).isEqualTo(6);
        assertThat(c.useThumbnail()).isTrue();
    }

    @Test
    void failsOnAMissingRequiredKeyNamingItsPath() throws Exception {
        ObjectNode json = goldenJson();
        ((ObjectNode) json.get("embedding_config")).remove("rope_theta");
        assertThatThrownBy(() -> HoVLEConfig.parse(json.toString())).isInstanceOf(ConfigException.class)
                .hasMessage("config.json: missing required key 'embedding_config.rope_theta'");
    }

    @Test
    void ignoresUnknownKeys() throws Exception {
        ObjectNode json = goldenJson();
        json.put("some_future_switch", true);
        ((ObjectNode) json.get("llm_config")).put("another_one", 3);
        assertThat(HoVLEConfig.parse(json.toString()).llm().vocabSize()).isEqualTo(320);
    }

    @Test
    void refusesAnUnknownPixelShufflePlacement() throws Exception {
        ObjectNode json = goldenJson();
        ((ObjectNode) json.get("embedding_config")).put("pixel_shuffle_loc", "middle");
        assertThatThrownBy(() -> HoVLEConfig.parse(json.toString())).hasMessageContaining("unknown pixel_shuffle_loc 'middle'");
    }

    @Test
    void dynamicNtkRaisesTheBaseOnlyPastTheMaximumPosition() {
        RopeConfig rope = new RopeConfig(1_000_000, 32768, java.util.Optional.of(2.0));
        assertThat(rope.baseFor(32768, 128)).isEqualTo(1_000_000);
        double expected = 1_000_000 * Math.pow(2.0 * 40000 / 32768 - 1, 128.0 / 126);
        assertThat(rope.baseFor(40000, 128)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void dynamicNtkScalesPastTheMaximumPositionAndStretchesTheContextByItsFactor() {
        RopeConfig dynamic = new RopeConfig(1_000_000, 32768, java.util.Optional.of(2.0));
        RopeConfig plain = new RopeConfig(10_000, 4096, java.util.Optional.empty());
        assertThat(dynamic.isScaledAt(32768)).isFalse();
        assertThat(dynamic.isScaledAt(32769)).isTrue();
        assertThat(plain.isScaledAt(1_000_000)).isFalse();
        assertThat(dynamic.maxSequenceLength()).isEqualTo(65536);
        assertThat(plain.maxSequenceLength()).isEqualTo(4096);
    }
}
