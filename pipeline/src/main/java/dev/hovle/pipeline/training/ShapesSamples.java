package dev.hovle.pipeline.training;

import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prompt.Turn;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.DataSplit;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code shapes} dataset as {@link TrainingSample} events, for the local runtime's sample stream and for tests:
 * a TRAIN sample is one question about a picture (see {@link ShapesDataset} for why not the whole conversation);
 * held-out pictures become one EVAL sample per question, each asked alone, exactly as {@code hovle train} evaluates.
 */
public final class ShapesSamples {
    private ShapesSamples() {}

    /** TRAIN sample {@code index} of {@code train}. */
    public static TrainingSample train(ShapesDataset train, int index, TrainingStage stage) {
        return of(train.get(index), DataSplit.TRAIN, stage);
    }

    /** The questions about EVAL picture {@code index} of {@code eval}, one sample each. */
    public static List<TrainingSample> eval(ShapesDataset eval, int index, TrainingStage stage) {
        List<TrainingSample> out = new ArrayList<>();
        List<EvalQuestion> questions = eval.questions(index);
        for (int q = 0; q < questions.size(); q++) {
            EvalQuestion question = questions.get(q);
            out.add(of(new Sample(question.sampleId() + "-q" + q, question.images(),
                    List.of(new Turn(question.question(), question.answer()))), DataSplit.EVAL, stage));
        }
        return out;
    }

    /** {@code sample} as an event of {@code split} for {@code stage}. */
    public static TrainingSample of(Sample sample, DataSplit split, TrainingStage stage) {
        List<InlineImage> images = new ArrayList<>();
        for (byte[] png : sample.images()) {
            images.add(InlineImage.newBuilder().setMediaType("image/png").setData(ByteBuffer.wrap(png)).build());
        }
        List<ChatTurn> turns = new ArrayList<>();
        for (Turn turn : sample.turns()) {
            turns.add(ChatTurn.newBuilder().setRole(ChatRole.USER).setText(turn.question()).build());
            turns.add(ChatTurn.newBuilder().setRole(ChatRole.ASSISTANT).setText(turn.answer()).build());
        }
        return TrainingSample.newBuilder().setSampleId(sample.id()).setStage(stage).setImages(images).setTurns(turns)
                .setSplit(split).build();
    }
}
