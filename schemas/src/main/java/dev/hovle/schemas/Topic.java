package dev.hovle.schemas;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The Kafka topics of HoVLE Stream, each with its default name and the one record type it carries.
 *
 * <p>Jobs take the actual names from their configuration; these defaults are what the local runtime creates and
 * what configuration options fall back to. Keys are UTF-8 strings: the image id, request id, sample id or model
 * name, and for dead letters the key of the failed record.
 */
public enum Topic {
    /** {@link ImageEvent}s keyed by image id. */
    IMAGES("hovle.images", ImageEvent.class),
    /** {@link VlmRequest}s keyed by request id. */
    REQUESTS("hovle.requests", VlmRequest.class),
    /** {@link VlmResult}s keyed by request id. */
    RESULTS("hovle.results", VlmResult.class),
    /** {@link TrainingSample}s keyed by sample id. */
    SAMPLES("hovle.samples", TrainingSample.class),
    /** {@link ModelUpdate}s keyed by model name, so the updates of one model stay in order. */
    MODEL_UPDATES("hovle.model-updates", ModelUpdate.class),
    /** {@link DeadLetter}s keyed by the key of the record that failed. */
    DEAD_LETTERS("hovle.dlq", DeadLetter.class);

    private final String defaultName;
    private final Class<? extends SpecificRecordBase> recordType;

    Topic(String defaultName, Class<? extends SpecificRecordBase> recordType) {
        this.defaultName = defaultName;
        this.recordType = recordType;
    }

    /** The topic name used unless a job's configuration says otherwise, e.g. {@code hovle.requests}. */
    public String defaultName() {
        return defaultName;
    }

    /** The generated Avro class of the values on this topic. */
    public Class<? extends SpecificRecordBase> recordType() {
        return recordType;
    }

    /** The current (writer) schema of the values on this topic. */
    public Schema schema() {
        return SpecificData.get().getSchema(recordType);
    }
}
