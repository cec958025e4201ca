package dev.hovle.operators.inference;

import dev.hovle.model.generate.FinishReason;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.GenerationTimings;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.metrics.GenerationMetrics;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.Timings;
import dev.hovle.schemas.VlmResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns generations into {@link VlmResult}s (detokenized text, finish reason, token counts, model version, timings)
 * and failures into dead letters, off the engine's thread; records the generation metrics.
 */
public final class ResultFunction extends ProcessFunction<Generation, VlmResult> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;

    private transient HoVLETokenizer tokenizer;
    private transient GenerationMetrics metrics;
    private transient DeadLetterCounters deadLetters;

    /** A function that detokenizes with the tokenizer of the snapshot in {@code modelDir}. */
    public ResultFunction(String modelDir) {
        this.modelDir = modelDir;
    }

    @Override
    public void open(OpenContext context) throws IOException {
        tokenizer = HoVLETokenizer.load(Path.of(modelDir));
        metrics = new GenerationMetrics(getRuntimeContext().getMetricGroup());
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Generation g, Context ctx, Collector<VlmResult> out) {
        RequestMeta meta = g.meta();
        if (g.result() == null) {
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(meta.source(), g.errorType(),
                    PipelineStage.GENERATE, g.errorMessage(), g.modelVersion())));
            return;
        }
        GenerationResult r = g.result();
        metrics.record(r, g.waitMillis());
        GenerationTimings t = r.timings();
        Timings timings = Timings.newBuilder()
                .setQueueMillis(g.waitMillis() + t.queueNanos() / 1_000_000)
                .setPreprocessMillis(g.preprocessMillis())
                .setPrefillMillis(t.prefillNanos() / 1_000_000)
                .setDecodeMillis(t.decodeNanos() / 1_000_000)
                .build();
        out.collect(VlmResult.newBuilder()
                .setRequestId(meta.requestId())
                .setTask(meta.task())
                .setImageIds(meta.imageIds())
                .setText(tokenizer.decode(r.tokens()).strip())
                .setFinishReason(finishReason(r.finishReason()))
                .setPromptTokens(r.promptTokens())
                // The schema counts the stop token; the engine does not emit it.
                .setGeneratedTokens(r.tokens().length + (r.finishReason() == FinishReason.STOP ? 1 : 0))
                .setModelVersion(r.modelVersion())
                .setTimings(timings)
                .setEventTime(Instant.ofEpochMilli(meta.eventTimeMillis()))
                .setProcessingTime(Instant.now())
                .build());
    }

    private static dev.hovle.schemas.FinishReason finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> dev.hovle.schemas.FinishReason.STOP;
            case LENGTH -> dev.hovle.schemas.FinishReason.LENGTH;
            case CANCELLED -> dev.hovle.schemas.FinishReason.CANCELLED;
            case DEADLINE -> dev.hovle.schemas.FinishReason.DEADLINE;
        };
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
