package dev.hovle.operators.deadletter;

import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.DeadLetter;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.PipelineStage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Builds {@link DeadLetter} records from a failed record's provenance, and the side output they travel on. */
public final class DeadLetters {
    /** The side output every operator of the inference job sends its dead letters to. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private DeadLetters() {}

    /**
     * A dead letter for {@code source}.
     *
     * @param modelVersion the serving version, or null before any model is involved
     */
    public static DeadLetter of(SourceRecord source, ErrorType type, PipelineStage stage, String message,
            String modelVersion) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setPayload(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setErrorType(type)
                .setMessage(message == null ? type.name() : message)
                .setStage(stage)
                .setModelVersion(modelVersion)
                .setTime(Instant.now())
                .build();
    }

    /** The error type of an image the preprocessor refused. */
    public static ErrorType errorType(InvalidImageException.Reason reason) {
        return switch (reason) {
            case CORRUPT -> ErrorType.CORRUPT_IMAGE;
            case UNSUPPORTED_FORMAT -> ErrorType.UNSUPPORTED_IMAGE_FORMAT;
            case TOO_LARGE -> ErrorType.IMAGE_TOO_LARGE;
        };
    }
}
