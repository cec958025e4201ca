package dev.hovle.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fully populated events of every type, every optional field set, for round-trip and wire tests. */
public final class SampleEvents {

    public static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123Z");

    private SampleEvents() {
    }

    /** One of every event type, in {@link Topic} order. */
    public static List<Object> all() {
        return List.of(imageEvent(), vlmRequest(), vlmResult(), trainingSample(), modelUpdate(), deadLetter());
    }

    public static ImageEvent imageEvent() {
        return ImageEvent.newBuilder()
                .setImageId("img-1")
                .setSource("camera-7")
                .setEventTime(T0)
                .setMediaType("image/png")
                .setData(bytes(0x89, 'P', 'N', 'G'))
                .setAttributes(Map.of("tenant", "acme", "lane", "3"))
                .build();
    }

    public static VlmRequest vlmRequest() {
        return VlmRequest.newBuilder()
                .setRequestId("req-1")
                .setTask(Task.CHAT)
                .setEventTime(T0)
                .setImageIds(List.of("img-1", "img-2"))
                .setImages(List.of(inlineImage()))
                .setPrompt("And what colour is it?")
                .setHistory(List.of(turn(ChatRole.USER, "<image>\nWhat is this?"), turn(ChatRole.ASSISTANT, "A car.")))
                .setGeneration(GenerationParams.newBuilder()
                        .setMaxNewTokens(64).setTemperature(0.7f).setTopP(0.9f).setTopK(40).setSeed(42L).build())
                .setDeadline(T0.plusSeconds(30))
                .build();
    }

    public static VlmResult vlmResult() {
        return VlmResult.newBuilder()
                .setRequestId("req-1")
                .setTask(Task.QA)
                .setImageIds(List.of("img-1"))
                .setText("It is red.")
                .setFinishReason(FinishReason.STOP)
                .setPromptTokens(300)
                .setGeneratedTokens(5)
                .setModelVersion("v7")
                .setTimings(Timings.newBuilder()
                        .setQueueMillis(3).setPreprocessMillis(12).setPrefillMillis(250).setDecodeMillis(90).build())
                .setEventTime(T0)
                .setProcessingTime(T0.plusMillis(400))
                .build();
    }

    public static TrainingSample trainingSample() {
        return TrainingSample.newBuilder()
                .setSampleId("sample-1")
                .setStage(TrainingStage.DISTILLATION)
                .setImages(List.of(inlineImage()))
                .setTurns(List.of(turn(ChatRole.USER, "<image>\nWhich shape?"), turn(ChatRole.ASSISTANT, "A circle.")))
                .setWeight(0.5f)
                .setSplit(DataSplit.EVAL)
                .setTeacherTargets(FloatTensors.of(new float[] {1f, -2f, 3.5f, 0f, 1e-3f, 7f}, 2, 3))
                .build();
    }

    public static ModelUpdate modelUpdate() {
        return ModelUpdate.newBuilder()
                .setModelName("hovle-tiny")
                .setVersion("v8")
                .setParentVersion("v7")
                .setStage(TrainingStage.INSTRUCTION)
                .setStep(1200)
                .setSamplesSeen(38_400)
                .setUri("file:///tmp/model-store/hovle-tiny/v8")
                .setChecksums(Map.of("model.safetensors", "ab".repeat(32), "config.json", "cd".repeat(32)))
                .setMetrics(Map.of("eval_loss", 0.42, "eval_accuracy", 0.93))
                .setStatus(ModelStatus.PROMOTED)
                .setReason("eval_loss 0.42 <= 0.45 + margin 0.01")
                .setTime(T0)
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic(Topic.REQUESTS.defaultName())
                .setSourcePartition(2)
                .setSourceOffset(1234L)
                .setKey(ByteBuffer.wrap("req-1".getBytes(StandardCharsets.UTF_8)))
                .setPayload(bytes(0xC3, 0x01, 0xFF))
                .setErrorType(ErrorType.UNKNOWN_SCHEMA)
                .setMessage("unknown schema fingerprint 0011223344556677")
                .setStage(PipelineStage.DECODE)
                .setModelVersion("v7")
                .setTime(T0)
                .build();
    }

    static InlineImage inlineImage() {
        return InlineImage.newBuilder().setMediaType("image/jpeg").setData(bytes(0xFF, 0xD8, 0xFF)).build();
    }

    static ChatTurn turn(ChatRole role, String text) {
        return ChatTurn.newBuilder().setRole(role).setText(text).build();
    }

    static ByteBuffer bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(bytes);
    }
}
