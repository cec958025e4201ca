package dev.hovle.pipeline.inference;

import static dev.hovle.pipeline.inference.InferenceOptions.BOOTSTRAP_SERVERS;
import static dev.hovle.pipeline.inference.InferenceOptions.DEAD_LETTERS_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.GROUP_ID;
import static dev.hovle.pipeline.inference.InferenceOptions.IMAGES_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_UPDATES_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.REQUESTS_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.RESULTS_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.STARTING_OFFSETS;
import static dev.hovle.pipeline.inference.InferenceOptions.TRANSACTIONAL_ID_PREFIX;
import static dev.hovle.pipeline.inference.InferenceOptions.TRANSACTION_TIMEOUT;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.pipeline.inference.InferenceOptions.StartingOffsets;
import dev.hovle.pipeline.kafka.EventSerializer;
import dev.hovle.pipeline.kafka.KafkaEnds;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.VlmResult;
import java.nio.ByteBuffer;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The inference job's production ends: Kafka sources of raw records and exactly-once Kafka sinks. */
public final class InferenceKafka {
    private InferenceKafka() {}

    /** The images topic, records untouched. */
    public static KafkaSource<SourceRecord> imageSource(ReadableConfig config) {
        return source(config, config.get(IMAGES_TOPIC), "images");
    }

    /** The requests topic, records untouched. */
    public static KafkaSource<SourceRecord> requestSource(ReadableConfig config) {
        return source(config, config.get(REQUESTS_TOPIC), "requests");
    }

    /**
     * The model-updates topic, records untouched, always from its earliest offset: the history of a model line is
     * short, and a job started without a checkpoint must learn which version serves (a restored one resumes).
     */
    public static KafkaSource<SourceRecord> modelUpdateSource(ReadableConfig config) {
        return source(config, config.get(MODEL_UPDATES_TOPIC), "model-updates", OffsetsInitializer.earliest());
    }

    /** Results keyed by request id, exactly once. */
    public static KafkaSink<VlmResult> resultSink(ReadableConfig config) {
        return sink(config, EventSerializer.keyedByText(config.get(RESULTS_TOPIC), VlmResult.class,
                VlmResult::getRequestId), "results");
    }

    /** Dead letters keyed by the failed record's key, exactly once. */
    public static KafkaSink<DeadLetter> deadLetterSink(ReadableConfig config) {
        return sink(config, EventSerializer.keyedByBytes(config.get(DEAD_LETTERS_TOPIC), DeadLetter.class,
                InferenceKafka::keyOf), "dead-letters");
    }

    public static byte[] keyOf(DeadLetter letter) {
        ByteBuffer key = letter.getKey();
        if (key == null) {
            return null;
        }
        byte[] bytes = new byte[key.remaining()];
        key.duplicate().get(bytes);
        return bytes;
    }

    private static KafkaSource<SourceRecord> source(ReadableConfig config, String topic, String name) {
        OffsetResetStrategy reset = config.get(STARTING_OFFSETS) == StartingOffsets.LATEST ? OffsetResetStrategy.LATEST
                : OffsetResetStrategy.EARLIEST;
        return source(config, topic, name, OffsetsInitializer.committedOffsets(reset));
    }

    private static KafkaSource<SourceRecord> source(ReadableConfig config, String topic, String name,
            OffsetsInitializer start) {
        return KafkaEnds.source(bootstrapServers(config), topic, config.get(GROUP_ID), name, start);
    }

    private static <T> KafkaSink<T> sink(ReadableConfig config,
            KafkaRecordSerializationSchema<T> serializer, String name) {
        return KafkaEnds.exactlyOnceSink(bootstrapServers(config), serializer, config.get(TRANSACTIONAL_ID_PREFIX) + "-" + name,
                config.get(TRANSACTION_TIMEOUT));
    }

    /** The Kafka cluster both jobs use ({@code hovle.kafka.bootstrap-servers}), which has no default. */
    public static String bootstrapServers(ReadableConfig config) {
        return config.getOptional(BOOTSTRAP_SERVERS).orElseThrow(() -> new IllegalArgumentException(
                "set " + BOOTSTRAP_SERVERS.key() + " to the Kafka cluster's host:port list"));
    }
}
