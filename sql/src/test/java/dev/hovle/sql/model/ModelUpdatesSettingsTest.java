package dev.hovle.sql.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.operators.serving.CheckpointRefusedException;
import dev.hovle.operators.serving.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model-updates options of a hovle model, read as CREATE MODEL reads them. */
class ModelUpdatesSettingsTest {
    @TempDir
    Path temp;

    @Test
    void followsNothingWithoutBootstrapServers() {
        assertThat(settings(Map.of("model.dir", "/models/tiny"))).isNull();
    }

    @Test
    void refusesModelUpdatesOptionsWithoutBootstrapServersNamingThem() {
        assertThatThrownBy(() -> settings(Map.of("model-updates.uri-prefixes", "file:///models",
                "model-updates.properties.security.protocol", "SSL")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'model-updates.properties.security.protocol', 'model-updates.uri-prefixes' "
                        + "given without 'model-updates.bootstrap-servers'");
    }

    @Test
    void defaultsToTheProjectsTopicAndModelLineAndFetchesNothing() throws Exception {
        ModelUpdatesSettings settings = settings(Map.of("model-updates.bootstrap-servers", "kafka:9092"));

        assertThat(settings.topic()).isEqualTo("hovle.model-updates");
        assertThat(settings.modelName()).isEqualTo("hovle");
        assertThat(settings.uriPrefixes()).isEmpty();
        assertThat(settings.pinnedVersion()).isNull();
        ModelStore.Published published = publishedCheckpoint();
        assertThatThrownBy(() -> ModelStore.fetch(published.uri(), published.checksums(), temp.resolve("copy"),
                settings.fetchLimits())).isInstanceOf(CheckpointRefusedException.class)
                .hasMessageContaining("none are configured: set model-updates.uri-prefixes");
    }

    @Test
    void passesKafkaPropertiesWithoutTheirPrefix() {
        ModelUpdatesSettings settings = settings(Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.properties.security.protocol", "SASL_SSL"));

        assertThat(settings.kafkaProperties()).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
    }

    @Test
    void equalOptionsGiveEqualSettingsSoModelsShareAFollower() {
        Map<String, String> options = Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.uri-prefixes", "file:///models/store/;s3://bucket/hovle", "model-updates.max-bytes",
                "2g");

        assertThat(settings(options)).isEqualTo(settings(Map.copyOf(options)))
                .isNotEqualTo(settings(Map.of("model-updates.bootstrap-servers", "kafka:9092")));
        assertThat(settings(options).uriPrefixes()).containsExactly("file:///models/store/", "s3://bucket/hovle");
        assertThat(settings(options).maxBytes()).isEqualTo(2L << 30);
    }

    @Test
    void refusesBlankTopicsAndMalformedPrefixes() {
        assertThatThrownBy(() -> settings(Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.topic", " "))).hasMessageContaining("'model-updates.topic' must not be blank");
        assertThatThrownBy(() -> settings(Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.uri-prefixes", "../models")))
                .hasMessageContaining("model-updates.uri-prefixes entry ../models is not usable");
    }

    @Test
    void checksKafkaPropertiesAndKeepsWhatFollowingNeeds() {
        assertThatThrownBy(() -> settings(Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.properties.fetch.max.bytes", "lots")))
                .hasMessageContaining("'model-updates.properties.*'").hasMessageContaining("fetch.max.bytes");
        ModelUpdatesSettings settings = settings(Map.of("model-updates.bootstrap-servers", "kafka:9092",
                "model-updates.properties.isolation.level", "read_uncommitted"));

        assertThat(settings.consumerProperties("g")).containsEntry("isolation.level", "read_committed")
                .containsEntry("auto.offset.reset", "earliest").containsEntry("enable.auto.commit", "false");
    }

    private static ModelUpdatesSettings settings(Map<String, String> given) {
        return ModelUpdatesSettings.of(given, Configuration.fromMap(given));
    }

    private ModelStore.Published publishedCheckpoint() throws Exception {
        Path checkpoint = temp.resolve("checkpoint");
        Files.createDirectories(checkpoint);
        Files.writeString(checkpoint.resolve("config.json"), "{}");
        return ModelStore.at(temp.resolve("store").toString()).publish(checkpoint, "v2");
    }
}
