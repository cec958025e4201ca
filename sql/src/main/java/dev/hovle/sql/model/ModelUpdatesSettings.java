package dev.hovle.sql.model;

import dev.hovle.operators.access.UriPrefixes;
import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.operators.serving.ModelStore;
import dev.hovle.operators.serving.VersionPolicy;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How a model follows the model-updates topic ({@code model-updates.*} options). Plain values, so that two models
 * with equal settings compare equal and can share one follower.
 *
 * @param bootstrapServers the brokers
 * @param topic the updates topic
 * @param kafkaProperties extra consumer properties ({@code model-updates.properties.*}, prefix removed)
 * @param modelName the model line followed
 * @param pinnedVersion the one version to serve, or null to follow promotions and rollbacks
 * @param uriPrefixes where checkpoints may be fetched from, canonical; empty: nowhere
 * @param maxBytes the largest checkpoint fetched
 * @param cacheDir where fetched checkpoints are copied while they load, or null for the default
 */
record ModelUpdatesSettings(String bootstrapServers, String topic, Map<String, String> kafkaProperties,
        String modelName, String pinnedVersion, List<String> uriPrefixes, long maxBytes, String cacheDir)
        implements Serializable {

    /**
     * The settings {@code options} give, or null when the model does not follow updates.
     *
     * @param given the options as written in {@code WITH}, to tell a set option from a default
     * @throws IllegalArgumentException naming the option at fault
     */
    static ModelUpdatesSettings of(Map<String, String> given, ReadableConfig options) {
        String servers = options.getOptional(HovleModelOptions.UPDATES_BOOTSTRAP_SERVERS).orElse(null);
        if (servers == null) {
            String orphans = given.keySet().stream().filter(k -> k.startsWith(HovleModelOptions.UPDATES_PREFIX))
                    .sorted().map(k -> "'" + k + "'").collect(Collectors.joining(", "));
            if (!orphans.isEmpty()) {
                throw new IllegalArgumentException(orphans + " given without '"
                        + HovleModelOptions.UPDATES_BOOTSTRAP_SERVERS.key() + "': set the brokers of the updates "
                        + "topic to follow it, or drop the model-updates options to serve model.dir only");
            }
            return null;
        }
        requireText(HovleModelOptions.UPDATES_BOOTSTRAP_SERVERS.key(), servers);
        String topic = requireText(HovleModelOptions.UPDATES_TOPIC.key(),
                options.get(HovleModelOptions.UPDATES_TOPIC));
        String modelName = requireText(HovleModelOptions.UPDATES_MODEL_NAME.key(),
                options.get(HovleModelOptions.UPDATES_MODEL_NAME));
        String pinned = options.getOptional(HovleModelOptions.UPDATES_PINNED_VERSION).orElse(null);
        if (pinned != null) {
            requireText(HovleModelOptions.UPDATES_PINNED_VERSION.key(), pinned);
        }
        // Canonical now, so a malformed prefix fails CREATE MODEL rather than the first fetch.
        List<String> prefixes = new UriPrefixes(options.get(HovleModelOptions.UPDATES_URI_PREFIXES),
                HovleModelOptions.UPDATES_URI_PREFIXES.key()).prefixes();
        long maxBytes = options.get(HovleModelOptions.UPDATES_MAX_BYTES).getBytes();
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("'" + HovleModelOptions.UPDATES_MAX_BYTES.key() + "' must be positive");
        }
        Map<String, String> kafka = new TreeMap<>();
        given.forEach((k, v) -> {
            if (k.startsWith(HovleModelOptions.UPDATES_KAFKA_PROPERTIES)) {
                kafka.put(k.substring(HovleModelOptions.UPDATES_KAFKA_PROPERTIES.length()), v);
            }
        });
        ModelUpdatesSettings settings = new ModelUpdatesSettings(servers.strip(), topic, Map.copyOf(kafka), modelName,
                pinned, List.copyOf(prefixes), maxBytes,
                options.getOptional(HovleModelOptions.UPDATES_CACHE_DIR).orElse(null));
        try {
            // Parsing checks each value's type and range, as the consumer will, without a consumer or its log.
            ConsumerConfig.configDef().parse(settings.consumerProperties("hovle-sql-check"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("'" + HovleModelOptions.UPDATES_KAFKA_PROPERTIES + "*': "
                    + e.getMessage(), e);
        }
        return settings;
    }

    /**
     * The consumer's properties: the given ones, then what following needs and no option may change: committed
     * updates only, all of them from the start, in a group of its own that commits nothing.
     */
    Properties consumerProperties(String groupId) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** How versions of the line are chosen; the engine's snapshot and version are the root of the lineage. */
    VersionPolicy policy(EngineSpec engine) {
        return new VersionPolicy(modelName, engine.modelVersion(), engine.modelDir(), pinnedVersion);
    }

    /** What may be fetched for an update. */
    ModelStore.FetchLimits fetchLimits() {
        return ModelStore.FetchLimits.under(uriPrefixes, HovleModelOptions.UPDATES_URI_PREFIXES.key(), maxBytes);
    }

    /** Where the updates come from, for logs and messages. */
    String describe() {
        return "topic " + topic + " at " + bootstrapServers + " (model " + modelName + ")";
    }

    private static String requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' must not be blank");
        }
        return value.strip();
    }
}
