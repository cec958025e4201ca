package dev.hovle.pipeline.training;

import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.train.OptimizerSettings;
import dev.hovle.operators.training.TrainerSpec;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The {@code shapes} sample stream a training job learns from, as {@code hovle train} trains on it: held-out
 * questions for the gate (EVAL pictures, one question per sample), and TRAIN samples without end. The first TRAIN
 * samples are a curriculum, one-shape pictures with all their questions ({@link ShapesDataset#warmUp}), where kinds
 * and colours are learned before pictures of two and three shapes ask where each is; then one question per sample.
 */
public final class ShapesStream {
    private final ShapesDataset train;
    private final ShapesDataset oneShape;
    private final ShapesDataset eval;
    private final long curriculum;
    private final TrainingStage stage;

    /**
     * @param tileSize the model's tile side, the size the pictures are drawn at
     * @param curriculum how many TRAIN samples at the start show one shape per picture
     */
    public ShapesStream(int tileSize, long curriculum, TrainingStage stage) {
        this.train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optImageSize(tileSize).build();
        this.oneShape = ShapesDataset.warmUp(0, tileSize);
        this.eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optImageSize(tileSize).build();
        this.curriculum = curriculum;
        this.stage = stage;
    }

    /**
     * A stream whose curriculum lasts as many of the job's scheduled steps as in {@code hovle train}
     * ({@link ShapesDataset#warmUpSteps}), at the job's batch size and accumulation.
     */
    public static ShapesStream forJob(ReadableConfig conf, int tileSize) {
        OptimizerSettings optimizer = TrainingOptions.optimizer(conf);
        long curriculum = (long) ShapesDataset.warmUpSteps(optimizer.scheduleSteps()) * optimizer.samplesPerStep();
        return new ShapesStream(tileSize, curriculum, TrainerSpec.stageOf(optimizer.stage()));
    }

    /** The first {@code count} held-out questions, one EVAL sample each, exactly as {@code hovle train} scores. */
    public List<TrainingSample> heldOut(int count) {
        List<TrainingSample> out = new ArrayList<>(count);
        for (int picture = 0; out.size() < count; picture++) {
            for (TrainingSample question : ShapesSamples.eval(eval, picture, stage)) {
                if (out.size() < count) {
                    out.add(question);
                }
            }
        }
        return out;
    }

    /** TRAIN sample {@code n} of the stream (from 0). */
    public TrainingSample train(long n) {
        int index = (int) (n % train.size());
        return ShapesSamples.train(n < curriculum ? oneShape : train, index, stage);
    }
}
