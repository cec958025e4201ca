package dev.hovle.tools.local;

import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.training.ShapesStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local runtime's stream of {@code shapes} training samples: first the held-out questions the gate scores
 * versions on, then TRAIN samples, a tick's worth per {@link #run()}, for as long as the runtime runs.
 */
final class TrainingFeed implements Runnable {
    private final EventProducer producer;
    private final String topic;
    private final ShapesStream stream;
    private final int heldOut;
    private final int perTick;
    private final AtomicLong trainSent = new AtomicLong();
    private boolean heldOutSent;

    /**
     * @param heldOut EVAL questions sent first (the gate's set)
     * @param perTick TRAIN samples per {@link #run()}
     */
    TrainingFeed(EventProducer producer, String topic, ShapesStream stream, int heldOut, int perTick) {
        this.producer = producer;
        this.topic = topic;
        this.stream = stream;
        this.heldOut = heldOut;
        this.perTick = perTick;
    }

    @Override
    public void run() {
        if (!heldOutSent) {
            stream.heldOut(heldOut).forEach(question -> producer.send(topic, question));
            heldOutSent = true;
        }
        for (int i = 0; i < perTick; i++) {
            producer.send(topic, stream.train(trainSent.getAndIncrement()));
        }
    }

    /** TRAIN samples sent so far. */
    long trainSent() {
        return trainSent.get();
    }
}
