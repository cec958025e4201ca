package dev.hovle.tools.bench;

import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import dev.hovle.testkit.SyntheticImages;
import dev.hovle.tools.bench.RoundOrder.Side;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The streaming job's throughput against its engine alone, on the same requests with the same model and engine
 * settings, in many short alternated rounds: the engine alone gets every prompt prepared beforehand and all requests
 * at once; the pipeline gets the same requests through Kafka and does everything itself. Both sides are started once
 * and stay up, so a round costs only its requests, and each round's ratio compares two runs a few seconds apart.
 */
public final class PipelineBenchmark implements AutoCloseable {
    private final EngineAlone engine;
    private final StreamingPipeline pipeline;

    private PipelineBenchmark(EngineAlone engine, StreamingPipeline pipeline) {
        this.engine = engine;
        this.pipeline = pipeline;
    }

    /** Loads the engine alone and starts the job, both on {@code settings}. */
    public static PipelineBenchmark open(ServingSettings settings) throws Exception {
        EngineAlone engine = EngineAlone.open(settings);
        try {
            return new PipelineBenchmark(engine, StreamingPipeline.open(settings));
        } catch (Exception e) {
            engine.close();
            throw e;
        }
    }

    /** {@code count} caption requests, each with its own drawn image inline. */
    public static List<VlmRequest> requests(int count, long seed) {
        SyntheticImages images = new SyntheticImages(seed);
        List<VlmRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(VlmRequest.newBuilder().setRequestId(String.format(Locale.ROOT, "bench-%05d", i))
                    .setTask(Task.CAPTION).setEventTime(Instant.now())
                    .setImages(List.of(InlineImage.newBuilder().setMediaType("image/png")
                            .setData(ByteBuffer.wrap(images.next(96, 72).data())).build()))
                    .build());
        }
        return out;
    }

    /** Round {@code round} of {@code workload}: both sides, in {@link RoundOrder ABBA order}. */
    public RoundComparison round(int round, List<VlmRequest> workload) throws Exception {
        // The same requests under fresh ids each round, so the result topic tells the rounds apart.
        List<VlmRequest> requests = renamed(workload, String.format(Locale.ROOT, "r%03d-", round));
        List<Side> order = RoundOrder.of(round);
        RunFigures engineRun = null;
        RunFigures pipelineRun = null;
        for (Side side : order) {
            if (side == Side.ENGINE) {
                engineRun = engine.run(requests);
            } else {
                pipelineRun = pipeline.run(requests);
            }
        }
        return new RoundComparison(round, order.get(0), engineRun, pipelineRun);
    }

    private static List<VlmRequest> renamed(List<VlmRequest> workload, String prefix) {
        Instant now = Instant.now();
        return workload.stream().map(r -> VlmRequest.newBuilder(r).setRequestId(prefix + r.getRequestId())
                .setEventTime(now).build()).toList();
    }

    @Override
    public void close() throws Exception {
        try (engine; pipeline) {
            // stops the job and the broker, then the engine alone
        }
    }
}
