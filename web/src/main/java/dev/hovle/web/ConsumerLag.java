package dev.hovle.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the inference job's sources are behind the input topics: the committed end of each partition minus the
 * offset the job's consumer group committed at its last checkpoint. Offsets are Kafka's own records, not the job's
 * internals, so this works beside any deployment.
 */
final class ConsumerLag implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String groupId;
    private final List<String> topics;

    ConsumerLag(String bootstrapServers, String groupId, List<String> topics) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        this.admin = Admin.create(props);
        this.groupId = groupId;
        this.topics = List.copyOf(topics);
    }

    /** Records on the input topics not yet consumed by the group; null when the group has committed nothing yet. */
    Long records() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetAndMetadata> ours = committed.entrySet().stream()
                .filter(e -> topics.contains(e.getKey().topic()) && e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        if (ours.isEmpty()) {
            return null;
        }
        Map<TopicPartition, OffsetSpec> latest = ours.keySet().stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long lag = 0;
        for (var e : ours.entrySet()) {
            lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close(TIMEOUT);
    }
}
