package dev.hovle.operators.inference;

import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.VlmRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Assembles a request with the images it names, keyed by request id: parts come back from
 * {@link ImageJoinFunction} in any order, before or after the request itself. A complete request becomes a
 * {@link WorkItem}; a missing image makes the request an IMAGE_MISSING dead letter. Requests naming no image pass
 * straight through without state.
 *
 * <p>State per request id: the request and the parts so far, cleared when the request completes or fails, and by a
 * cleanup timer at twice the image wait in case a request never shows up.
 */
public final class RequestAssemblyFunction extends KeyedCoProcessFunction<String, IncomingRequest, ImagePart, WorkItem> {
    private static final long serialVersionUID = 1L;

    private final long cleanupMillis;

    private transient ValueState<IncomingRequest> request;
    private transient MapState<Integer, ImagePart> parts;
    private transient ValueState<Long> cleanup;
    private transient DeadLetterCounters deadLetters;

    /** An assembler whose state for an unfinished request lives at most twice {@code imageWait}. */
    public RequestAssemblyFunction(Duration imageWait) {
        // The join answers every need within the wait; the margin only covers a part whose request never came.
        this.cleanupMillis = Math.max(1, imageWait.toMillis()) * 2;
    }

    @Override
    public void open(OpenContext context) {
        request = getRuntimeContext().getState(new ValueStateDescriptor<>("request",
                TypeInformation.of(IncomingRequest.class)));
        parts = getRuntimeContext().getMapState(new MapStateDescriptor<>("parts", Types.INT,
                TypeInformation.of(ImagePart.class)));
        cleanup = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup", Types.LONG));
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement1(IncomingRequest incoming, Context ctx, Collector<WorkItem> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (incoming.request().getImageIds().isEmpty()) {
            out.collect(workItem(incoming, List.of(), now));
            return;
        }
        request.update(incoming);
        scheduleCleanup(ctx, now);
        tryComplete(ctx, out, now);
    }

    @Override
    public void processElement2(ImagePart part, Context ctx, Collector<WorkItem> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        parts.put(part.index(), part);
        scheduleCleanup(ctx, now);
        tryComplete(ctx, out, now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WorkItem> out) throws Exception {
        IncomingRequest pending = request.value();
        if (pending != null) {
            ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(pending.source(), ErrorType.IMAGE_MISSING,
                    PipelineStage.ASSEMBLE, "request " + ctx.getCurrentKey() + " did not get all its images in time",
                    null)));
        }
        clear(ctx.timerService());
    }

    private void tryComplete(Context ctx, Collector<WorkItem> out, long now) throws Exception {
        IncomingRequest pending = request.value();
        if (pending == null) {
            return;
        }
        List<String> ids = pending.request().getImageIds();
        List<ImagePart> found = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            ImagePart part = parts.get(i);
            if (part != null && !part.found()) {
                ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(pending.source(), ErrorType.IMAGE_MISSING,
                        PipelineStage.ASSEMBLE, "image " + part.imageId() + " of request " + part.requestId()
                                + " did not arrive within the wait", null)));
                clear(ctx.timerService());
                return;
            }
            found.add(part);
        }
        if (found.contains(null)) {
            return;
        }
        List<ImageInput> images = new ArrayList<>();
        for (ImagePart part : found) {
            images.add(ImageInputs.of(part.image()));
        }
        out.collect(workItem(pending, images, now));
        clear(ctx.timerService());
    }

    private void scheduleCleanup(Context ctx, long now) throws Exception {
        if (cleanup.value() == null) {
            cleanup.update(now + cleanupMillis);
            ctx.timerService().registerProcessingTimeTimer(now + cleanupMillis);
        }
    }

    private void clear(TimerService timers) throws Exception {
        Long timer = cleanup.value();
        if (timer != null) {
            // A finished request leaves no timer behind: timers are state too, in every checkpoint.
            timers.deleteProcessingTimeTimer(timer);
        }
        request.clear();
        parts.clear();
        cleanup.clear();
    }

    /** The work item: named images in order, then the request's inline images (moved out of the request). */
    private static WorkItem workItem(IncomingRequest incoming, List<ImageInput> named, long now) {
        VlmRequest r = incoming.request();
        List<ImageInput> images = new ArrayList<>(named);
        List<InlineImage> inline = r.getImages();
        for (int i = 0; i < inline.size(); i++) {
            images.add(ImageInputs.inline(inline.get(i), i + 1));
        }
        VlmRequest withoutInline = inline.isEmpty() ? r : VlmRequest.newBuilder(r).setImages(List.of()).build();
        return new WorkItem(withoutInline, images, incoming.source(), now);
    }
}
