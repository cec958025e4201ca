package dev.hovle.pipeline.training;

import static dev.hovle.pipeline.inference.InferenceOptions.DEAD_LETTERS_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.MODEL_UPDATES_TOPIC;
import static dev.hovle.pipeline.inference.InferenceOptions.TRANSACTION_TIMEOUT;
import static dev.hovle.pipeline.training.TrainingOptions.GROUP_ID;
import static dev.hovle.pipeline.training.TrainingOptions.SAMPLES_TOPIC;
import static dev.hovle.pipeline.training.TrainingOptions.TRANSACTIONAL_ID_PREFIX;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.pipeline.inference.InferenceKafka;
import dev.hovle.pipeline.kafka.EventSerializer;
import dev.hovle.pipeline.kafka.KafkaEnds;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ModelUpdate;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The training job's production ends: the samples topic, and exactly-once sinks of updates and dead letters. */
public final class TrainingKafka {
    private TrainingKafka() {}

    /** The samples topic, records untouched; a new group starts at the earliest sample. */
    public static KafkaSource<SourceRecord> sampleSource(ReadableConfig config) {
        return KafkaEnds.source(InferenceKafka.bootstrapServers(config), config.get(SAMPLES_TOPIC),
                config.get(GROUP_ID), "samples", OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /** The model-updates topic, records untouched, from its earliest offset: the trainer learns of rollbacks. */
    public static KafkaSource<SourceRecord> modelUpdateSource(ReadableConfig config) {
        return KafkaEnds.source(InferenceKafka.bootstrapServers(config), config.get(MODEL_UPDATES_TOPIC),
                config.get(GROUP_ID), "model-updates", OffsetsInitializer.earliest());
    }

    /** Model updates keyed by model name, exactly once. */
    public static KafkaSink<ModelUpdate> updateSink(ReadableConfig config) {
        return KafkaEnds.exactlyOnceSink(InferenceKafka.bootstrapServers(config), EventSerializer.keyedByText(
                config.get(MODEL_UPDATES_TOPIC), ModelUpdate.class, u -> u.getModelName().toString()),
                config.get(TRANSACTIONAL_ID_PREFIX) + "-updates", config.get(TRANSACTION_TIMEOUT));
    }

    /** Dead letters keyed by the failed record's key, exactly once. */
    public static KafkaSink<DeadLetter> deadLetterSink(ReadableConfig config) {
        return KafkaEnds.exactlyOnceSink(InferenceKafka.bootstrapServers(config), EventSerializer.keyedByBytes(
                config.get(DEAD_LETTERS_TOPIC), DeadLetter.class, InferenceKafka::keyOf),
                config.get(TRANSACTIONAL_ID_PREFIX) + "-dead-letters", config.get(TRANSACTION_TIMEOUT));
    }
}
