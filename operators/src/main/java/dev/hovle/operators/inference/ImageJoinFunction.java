package dev.hovle.operators.inference;

import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.Task;
import dev.hovle.schemas.VlmRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins images with the requests that name them, keyed by image id, whichever arrives first. An image stays
 * joinable for the retention; a need waits for its image at most the wait, then is answered "missing". When
 * auto-captioning is on, every arriving image also becomes a CAPTION work item (side output {@link #CAPTIONS}).
 *
 * <p>State per image id: the image and its expiry, and the needs still waiting with their deadlines; all of it is
 * cleared by processing-time timers.
 *
 * <pre>{@code
 * ImageJoinFunction join = ImageJoinFunction.builder().setWait(Duration.ofSeconds(30))
 *         .setRetention(Duration.ofMinutes(10)).optAutoCaption(true).build();
 * }</pre>
 */
public final class ImageJoinFunction extends KeyedCoProcessFunction<String, IncomingImage, ImageNeed, ImagePart> {
    private static final long serialVersionUID = 1L;
    /** Caption work items for arriving images. */
    public static final OutputTag<WorkItem> CAPTIONS = new OutputTag<>("captions", TypeInformation.of(WorkItem.class));
    /** The request id prefix of auto-captions: {@code caption:<image id>}. */
    public static final String CAPTION_PREFIX = "caption:";

    private final long waitMillis;
    private final long retentionMillis;
    private final boolean autoCaption;

    private transient ValueState<IncomingImage> image;
    private transient ValueState<Long> expiry;
    private transient MapState<ImageNeed, Long> waiting;

    private ImageJoinFunction(Builder b) {
        this.waitMillis = b.wait.toMillis();
        this.retentionMillis = b.retention.toMillis();
        this.autoCaption = b.autoCaption;
    }

    /** A builder; wait and retention are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext context) {
        image = getRuntimeContext().getState(new ValueStateDescriptor<>("image", TypeInformation.of(IncomingImage.class)));
        expiry = getRuntimeContext().getState(new ValueStateDescriptor<>("expiry", Types.LONG));
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting",
                TypeInformation.of(ImageNeed.class), Types.LONG));
    }

    @Override
    public void processElement1(IncomingImage arrived, Context ctx, Collector<ImagePart> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        ImageEvent event = arrived.image();
        if (autoCaption) {
            ctx.output(CAPTIONS, captionOf(arrived, now));
        }
        List<ImageNeed> answered = new ArrayList<>();
        for (Map.Entry<ImageNeed, Long> entry : waiting.entries()) {
            ImageNeed need = entry.getKey();
            out.collect(new ImagePart(need.requestId(), need.imageId(), need.index(), event));
            ctx.timerService().deleteProcessingTimeTimer(entry.getValue());
            answered.add(need);
        }
        for (ImageNeed need : answered) {
            waiting.remove(need);
        }
        Long previousExpiry = expiry.value();
        if (previousExpiry != null) {
            ctx.timerService().deleteProcessingTimeTimer(previousExpiry);
        }
        if (retentionMillis > 0) {
            // Keep the decoded event only: the raw bytes would double the state for the same image.
            image.update(new IncomingImage(event, arrived.source().withoutValue()));
            expiry.update(now + retentionMillis);
            ctx.timerService().registerProcessingTimeTimer(now + retentionMillis);
        }
    }

    @Override
    public void processElement2(ImageNeed need, Context ctx, Collector<ImagePart> out) throws Exception {
        IncomingImage present = image.value();
        if (present != null) {
            out.collect(new ImagePart(need.requestId(), need.imageId(), need.index(), present.image()));
            return;
        }
        long deadline = ctx.timerService().currentProcessingTime() + waitMillis;
        waiting.put(need, deadline);
        ctx.timerService().registerProcessingTimeTimer(deadline);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ImagePart> out) throws Exception {
        Long expires = expiry.value();
        if (expires != null && expires <= timestamp) {
            image.clear();
            expiry.clear();
        }
        List<ImageNeed> expired = new ArrayList<>();
        for (Map.Entry<ImageNeed, Long> entry : waiting.entries()) {
            if (entry.getValue() <= timestamp) {
                expired.add(entry.getKey());
            }
        }
        for (ImageNeed need : expired) {
            out.collect(new ImagePart(need.requestId(), need.imageId(), need.index(), null));
            waiting.remove(need);
        }
    }

    private static WorkItem captionOf(IncomingImage arrived, long now) {
        ImageEvent event = arrived.image();
        VlmRequest caption = VlmRequest.newBuilder()
                .setRequestId(CAPTION_PREFIX + event.getImageId())
                .setTask(Task.CAPTION)
                .setEventTime(event.getEventTime())
                .setImageIds(List.of(event.getImageId()))
                .build();
        return new WorkItem(caption, List.of(ImageInputs.of(event)), arrived.source(), now);
    }

    /** Builds an {@link ImageJoinFunction}. */
    public static final class Builder {
        private Duration wait;
        private Duration retention;
        private boolean autoCaption = true;

        private Builder() {}

        /** How long a request waits for an image it names before it becomes an IMAGE_MISSING dead letter. */
        public Builder setWait(Duration value) {
            this.wait = value;
            return this;
        }

        /** How long an image stays joinable after it arrived (0: only requests already waiting get it). */
        public Builder setRetention(Duration value) {
            this.retention = value;
            return this;
        }

        /** Whether every arriving image gets a CAPTION (default true). */
        public Builder optAutoCaption(boolean value) {
            this.autoCaption = value;
            return this;
        }

        public ImageJoinFunction build() {
            if (wait == null || retention == null) {
                throw new IllegalStateException("ImageJoinFunction needs setWait(Duration) and setRetention(Duration)");
            }
            if (wait.isNegative() || retention.isNegative()) {
                throw new IllegalArgumentException("wait and retention must not be negative: " + wait + ", " + retention);
            }
            return new ImageJoinFunction(this);
        }
    }
}
