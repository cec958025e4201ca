package dev.hovle.operators.training;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.train.EncodedSample;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.operators.deadletter.DeadLetterCounters;
import dev.hovle.operators.deadletter.DeadLetters;
import dev.hovle.operators.deadletter.FailurePolicy;
import dev.hovle.operators.deadletter.RecordAttempts;
import dev.hovle.operators.images.ImageLimits;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ChatRole;
import dev.hovle.schemas.ChatTurn;
import dev.hovle.schemas.DataSplit;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.FloatTensor;
import dev.hovle.schemas.InlineImage;
import dev.hovle.schemas.PipelineStage;
import dev.hovle.schemas.TrainingSample;
import dev.hovle.schemas.TrainingStage;
import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes training samples and checks them with the same encoder the trainer's loss sees: the model's tiling, chat
 * template and labels. Runs in parallel CPU subtasks ahead of the trainer. Samples for another stage are skipped and
 * counted ({@code samplesOfOtherStages}): a topic may feed several trainers. Everything else that cannot be trained
 * on becomes a dead letter with the raw record: undecodable bytes, an unknown split, turns that do not alternate
 * user/assistant, broken images or images over {@link ImageLimits#maxBytes}, a sequence longer than the context,
 * teacher targets of the wrong shape, and anything else one sample makes fail ({@link FailurePolicy}); a sample that
 * was in flight each time the job failed is set aside as REPEATED_FAILURE ({@link RecordAttempts}).
 */
public final class PrepareSamplesFunction extends ProcessFunction<SourceRecord, PreparedSample> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private final TrainingStage stage;
    private final ImageLimits imageLimits;
    private final RecordAttempts.Settings attemptSettings;
    private final int maxSequenceLength;

    private transient EventCodec<TrainingSample> codec;
    private transient HoVLETokenizer tokenizer;
    private transient SampleEncoder encoder;
    private transient int hiddenSize;
    private transient int tokensPerTile;
    private transient DeadLetterCounters deadLetters;
    private transient Counter otherStages;
    private transient RecordAttempts attempts;

    /** Samples of more positions than this are refused unless configured otherwise. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 4096;

    /** Prepares the samples of {@code stage} for the model in {@code modelDir}, within the default limits. */
    public PrepareSamplesFunction(String modelDir, TrainingStage stage) {
        this(modelDir, stage, ImageLimits.DEFAULTS, RecordAttempts.Settings.DEFAULTS, DEFAULT_MAX_SEQUENCE_LENGTH);
    }

    /**
     * Prepares the samples of {@code stage} for the model in {@code modelDir}; images over {@code imageLimits},
     * sequences over {@code maxSequenceLength} positions (a training step's memory grows with their square), and
     * samples that failed the job {@code attemptSettings.maxAttempts()} times become dead letters.
     */
    public PrepareSamplesFunction(String modelDir, TrainingStage stage, ImageLimits imageLimits,
            RecordAttempts.Settings attemptSettings, int maxSequenceLength) {
        if (maxSequenceLength < 1) {
            throw new IllegalArgumentException("max sequence length must be positive, found " + maxSequenceLength);
        }
        this.modelDir = modelDir;
        this.stage = stage;
        this.imageLimits = imageLimits;
        this.attemptSettings = attemptSettings;
        this.maxSequenceLength = maxSequenceLength;
    }

    @Override
    public void open(OpenContext context) throws IOException {
        codec = EventCodec.of(TrainingSample.class);
        HoVLEConfig config = HoVLEConfig.read(Path.of(modelDir));
        tokenizer = HoVLETokenizer.load(Path.of(modelDir));
        encoder = SampleEncoder.forModel(config, tokenizer);
        hiddenSize = config.llm().transformer().hiddenSize();
        tokensPerTile = config.tokensPerTile();
        deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        otherStages = getRuntimeContext().getMetricGroup().addGroup("hovle").counter("samplesOfOtherStages");
        attempts = RecordAttempts.forSubtask(getRuntimeContext(), "prepare-samples", attemptSettings);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<PreparedSample> out) {
        if (attempts.exhausted(record)) {
            fail(ctx, record, ErrorType.REPEATED_FAILURE, PipelineStage.PREPARE,
                    attempts.exhaustedMessage(record, "sample record " + record));
            return;
        }
        attempts.begin(record);
        PreparedSample prepared = null;
        try {
            prepared = prepare(record, ctx);
        } catch (Throwable t) {
            // Whatever one sample makes fail is that sample's dead letter; only JVM-wide errors restart the job.
            FailurePolicy.containOrRethrow(t);
            fail(ctx, record, ErrorType.INVALID_SAMPLE, PipelineStage.PREPARE, "sample record " + record
                    + " could not be prepared: " + FailurePolicy.describe(t));
        }
        attempts.end(record);
        if (prepared != null) {
            out.collect(prepared);
        }
    }

    /** The sample ready for the trainer, or null after sending its dead letter (or skipping another stage's). */
    private PreparedSample prepare(SourceRecord record, Context ctx) {
        TrainingSample sample;
        try {
            sample = codec.decode(record.value());
        } catch (EventDecodingException e) {
            fail(ctx, record, e.errorType(), PipelineStage.DECODE, "sample record " + record + ": " + e.getMessage());
            return null;
        }
        if (sample.getStage() != stage) {
            otherStages.inc();
            return null;
        }
        String id = sample.getSampleId();
        String problem = problem(sample);
        if (problem != null) {
            fail(ctx, record, ErrorType.INVALID_SAMPLE, PipelineStage.DECODE, "sample " + id + ": " + problem);
            return null;
        }
        if (sample.getImages().size() > imageLimits.maxPerRequest()) {
            fail(ctx, record, ErrorType.INVALID_SAMPLE, PipelineStage.DECODE, "sample " + id + " has "
                    + sample.getImages().size() + " images, at most " + imageLimits.maxPerRequest()
                    + " (hovle.requests.max-images)");
            return null;
        }
        for (int i = 0; i < sample.getImages().size(); i++) {
            String tooLarge = imageLimits.inlineProblem("sample " + id + ": image " + (i + 1),
                    sample.getImages().get(i).getData().remaining());
            if (tooLarge != null) {
                fail(ctx, record, ErrorType.IMAGE_TOO_LARGE, PipelineStage.DECODE, tooLarge);
                return null;
            }
        }
        Sample conversation = new Sample(id, images(sample), turns(sample));
        EncodedSample encoded;
        try {
            encoded = encoder.encode(conversation);
        } catch (InvalidImageException e) {
            fail(ctx, record, DeadLetters.errorType(e.reason()), PipelineStage.PREPARE, "sample " + id + ": "
                    + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // The template and the context length refuse with IllegalArgumentException; nothing may stop the job.
            ErrorType type = String.valueOf(e.getMessage()).contains("context length") ? ErrorType.PROMPT_TOO_LONG
                    : ErrorType.INVALID_SAMPLE;
            fail(ctx, record, type, PipelineStage.PREPARE, "sample " + id + ": " + e.getMessage());
            return null;
        }
        int positions = Math.max(encoded.inputIds().length, encoded.holisticIds().length);
        if (positions > maxSequenceLength) {
            fail(ctx, record, ErrorType.PROMPT_TOO_LONG, PipelineStage.PREPARE, "sample " + id + " has " + positions
                    + " positions, more than the training limit of " + maxSequenceLength
                    + " (hovle.training.max-sequence-length)");
            return null;
        }
                if (stage == TrainingStage.DISTILLATION && encoded.hasImages()) {
            String shapeProblem = teacherShapeProblem(sample.getTeacherTargets(), encoded.tiles() * tokensPerTile);
            if (shapeProblem != null) {
                fail(ctx, record, ErrorType.INVALID_SAMPLE, PipelineStage.PREPARE, "sample " + id + ": "
                        + shapeProblem);
                return null;
            }
            encoded = encoded.withTeacherImageFeatures(floats(sample.getTeacherTargets()));
        }
        return sample.getSplit() == DataSplit.EVAL
                ? PreparedSample.eval(conversation, stage == TrainingStage.DISTILLATION ? encoded : null, record)
                : PreparedSample.train(encoded, record);
    }

    /** What makes a decoded sample untrainable, or null. */
    static String problem(TrainingSample sample) {
        if (sample.getSplit() != DataSplit.TRAIN && sample.getSplit() != DataSplit.EVAL) {
            return "split " + sample.getSplit() + " is neither TRAIN nor EVAL (a newer producer's?)";
        }
        if (sample.getWeight() != 1.0f) {
            return "weight " + sample.getWeight() + ": only 1 is supported (the trainer averages over answer tokens)";
        }
        List<ChatTurn> turns = sample.getTurns();
        if (turns.isEmpty() || turns.size() % 2 != 0) {
            return turns.size() + " turns: a conversation is user/assistant pairs";
        }
        for (int i = 0; i < turns.size(); i++) {
            ChatRole expected = i % 2 == 0 ? ChatRole.USER : ChatRole.ASSISTANT;
            if (turns.get(i).getRole() != expected) {
                return "turn " + i + " is " + turns.get(i).getRole() + ", expected " + expected;
            }
        }
        return null;
    }

    private String teacherShapeProblem(FloatTensor targets, int imageTokens) {
        if (targets == null) {
            return "distillation needs teacher targets for its " + imageTokens + " image tokens";
        }
        List<Integer> expected = List.of(imageTokens, hiddenSize);
        if (!targets.getShape().equals(expected)) {
            return "teacher targets of shape " + targets.getShape() + ", expected " + expected
                    + " (image tokens x hidden size)";
        }
        if (targets.getData().remaining() != 4L * imageTokens * hiddenSize) {
            return "teacher targets carry " + targets.getData().remaining() + " bytes, shape " + expected + " needs "
                    + 4L * imageTokens * hiddenSize;
        }
        return null;
    }

    private static float[] floats(FloatTensor tensor) {
        ByteBuffer bytes = tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private static List<byte[]> images(TrainingSample sample) {
        List<byte[]> out = new ArrayList<>();
        for (InlineImage image : sample.getImages()) {
            ByteBuffer data = image.getData().duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            out.add(bytes);
        }
        return out;
    }

    private static List<Turn> turns(TrainingSample sample) {
        List<Turn> out = new ArrayList<>();
        List<ChatTurn> turns = sample.getTurns();
        for (int i = 0; i < turns.size(); i += 2) {
            out.add(new Turn(turns.get(i).getText(), turns.get(i + 1).getText()));
        }
        return out;
    }

    private void fail(Context ctx, SourceRecord record, ErrorType type, PipelineStage where, String message) {
        ctx.output(DeadLetters.TAG, deadLetters.counted(DeadLetters.of(record, type, where, message, null)));
    }

    @Override
    public void close() throws IOException {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (attempts != null) {
            attempts.close();
        }
    }
}
