package dev.hovle.operators.inference;

import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Splits a request into one {@link ImageNeed} per image it names, to be routed to each image's key. */
public final class ImageNeedsFunction implements FlatMapFunction<IncomingRequest, ImageNeed> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(IncomingRequest incoming, Collector<ImageNeed> out) {
        List<String> ids = incoming.request().getImageIds();
        for (int i = 0; i < ids.size(); i++) {
            out.collect(new ImageNeed(incoming.request().getRequestId(), ids.get(i), i));
        }
    }
}
