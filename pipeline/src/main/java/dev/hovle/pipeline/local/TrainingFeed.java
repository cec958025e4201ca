package dev.hovle.pipeline.local;

import dev.hovle.model.dataset.ShapesDataset;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.training.ShapesSamples;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local runtime's stream of {@code shapes} training samples: first the held-out questions the gate scores
 * versions on, then TRAIN questions, a tick's worth per second, for as long as the runtime runs. Like
 * {@code hovle train}, the first ones (a curriculum) show one shape per picture: kinds and colours are learned there
 * before pictures of two and three shapes ask where each is.
 */
final class TrainingFeed implements Runnable {
    private final EventProducer producer;
    private final String topic;
    private final int heldOut;
    private final int perTick;
    private final ShapesDataset train;
    private final ShapesDataset oneShape;
    private final long curriculum;
    private final ShapesDataset eval;
    private final AtomicLong trainSent = new AtomicLong();
    private boolean heldOutSent;

    /**
     * @param tileSize the model's tile side, the size the pictures are drawn at
     * @param heldOut EVAL questions sent first (the gate's set)
     * @param perTick TRAIN samples per {@link #run()}
     * @param curriculum how many TRAIN samples at the start show one shape per picture
     */
    TrainingFeed(EventProducer producer, String topic, int tileSize, int heldOut, int perTick, long curriculum) {
        this.producer = producer;
        this.topic = topic;
        this.heldOut = heldOut;
        this.perTick = perTick;
        this.curriculum = curriculum;
        this.train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tileSize).build();
        this.oneShape = ShapesDataset.warmUp(0, tileSize);
        this.eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(tileSize).build();
    }

    @Override
    public void run() {
        if (!heldOutSent) {
            int sent = 0;
            for (int picture = 0; sent < heldOut; picture++) {
                for (TrainingSample question : ShapesSamples.eval(eval, picture, TrainingStage.INSTRUCTION)) {
                    if (sent++ < heldOut) {
                        producer.send(topic, question);
                    }
                }
            }
            heldOutSent = true;
        }
        for (int i = 0; i < perTick; i++) {
            long sent = trainSent.getAndIncrement();
            int index = (int) (sent % train.size());
            producer.send(topic, ShapesSamples.train(sent < curriculum ? oneShape : train, index,
                    TrainingStage.INSTRUCTION));
        }
    }

    /** TRAIN samples sent so far. */
    long trainSent() {
        return trainSent.get();
    }
}
