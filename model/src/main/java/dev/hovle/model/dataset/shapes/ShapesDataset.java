package dev.hovle.model.dataset.shapes;

import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.prompt.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The synthetic {@code shapes} dataset: PNG pictures of one to three coloured shapes, each with a caption naming
 * every shape with its colour and relative position, and questions about colour, kind, count and position. It is a
 * pure function of (seed, split, index): nothing is downloaded or stored.
 *
 * <p>A sample is one question about its picture (the caption request or one of the questions, picked by the seed),
 * asked alone, as an evaluation asks it. Whole conversations are an option, but a poor one to train on: a later turn
 * sees the earlier answers, which name the colours, kinds and places of the shapes, so the model learns to copy them
 * from the text instead of reading the picture. Measured on a fresh tiny model, 2,500 one-question steps (200 s)
 * captioned 99% of EVAL pictures exactly, 3,000 whole-conversation steps (480 s) 68%. TRAIN and EVAL draw from
 * disjoint random streams (and every picture has seeded pixel noise), so they never share an image.
 *
 * <pre>{@code
 * ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(7).build();
 * Sample first = train.get(0); // PNG bytes plus one question and its answer
 * }</pre>
 */
public final class ShapesDataset implements ConversationDataset {
    /** Side of the rendered pictures by default. */
    public static final int DEFAULT_IMAGE_SIZE = 112;

    private final long seed;
    private final Split split;
    private final int size;
    private final int imageSize;
    private final boolean wholeConversation;
    private final int maxShapes;

    /** Which part of the dataset. */
    public enum Split { TRAIN, EVAL }

    private ShapesDataset(Builder b) {
        this.seed = b.seed;
        this.split = b.split;
        this.size = b.size > 0 ? b.size : (b.split == Split.TRAIN ? 100_000 : 1_000);
        this.imageSize = b.imageSize;
        this.wholeConversation = b.wholeConversation;
        this.maxShapes = b.maxShapes;
    }

    /**
     * The warm-up data of a curriculum: TRAIN pictures of one shape, each with all its questions as one
     * conversation. With one shape there is nothing to bind, so answers copied from earlier turns teach nothing
     * wrong, and four answers per picture teach colours and kinds faster. Measured on a tiny model (seed 11), 2,500
     * steps with a 250-step warm-up: exact captions 99% after this warm-up, 7% after one-question warm-up samples.
     */
    public static ShapesDataset warmUp(long seed, int imageSize) {
        return builder().setSplit(Split.TRAIN).optSeed(seed).optImageSize(imageSize).optMaxShapes(1)
                .optWholeConversation(true).build();
    }

    /** Steps of a {@code steps}-step run that train on {@link #warmUp} data: the first 10%. */
    public static int warmUpSteps(int steps) {
        return steps / 10;
    }

    /** A builder; the split is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int size() {
        return size;
    }

    /** The scene of sample {@code index}. */
    public ShapeScene scene(int index) {
        return SceneGenerator.generate(random(index, 0), imageSize, maxShapes);
    }

    @Override
    public Sample get(int index) {
        ShapeScene scene = scene(index);
        List<Turn> turns = new ArrayList<>();
        turns.add(new Turn(CAPTION_QUESTION, scene.caption()));
        turns.addAll(questions(scene, random(index, 1)));
        SplittableRandom order = random(index, 2);
        if (!wholeConversation) {
            return new Sample(id(index), List.of(SceneRenderer.png(scene)), List.of(turns.get(order.nextInt(turns.size()))));
        }
        for (int i = turns.size() - 1; i > 0; i--) {
            turns.set(i, turns.set(order.nextInt(i + 1), turns.get(i)));
        }
        return new Sample(id(index), List.of(SceneRenderer.png(scene)), turns);
    }

    /** Each question asked alone about the picture: the caption request first, then the others. */
    @Override
    public List<EvalQuestion> questions(int index) {
        ShapeScene scene = scene(index);
        List<byte[]> images = List.of(SceneRenderer.png(scene));
        List<EvalQuestion> out = new ArrayList<>();
        out.add(new EvalQuestion(id(index), images, List.of(), CAPTION_QUESTION, scene.caption(),
                EvalQuestion.CAPTION));
        List<Turn> questions = questions(scene, random(index, 1));
        for (int i = 0; i < questions.size(); i++) {
            out.add(new EvalQuestion(id(index), images, List.of(), questions.get(i).question(),
                    questions.get(i).answer(), ShapeScene.QUESTION_KINDS.get(i)));
        }
        return out;
    }

    private static List<Turn> questions(ShapeScene scene, SplittableRandom random) {
        int n = scene.shapes().size();
        return scene.questions(random.nextInt(n), random.nextInt(n), random.nextInt(n));
    }

    private String id(int index) {
        return "shapes-" + split.name().toLowerCase(Locale.ROOT) + "-" + index;
    }

    /** An independent stream per (seed, split, index, purpose). */
    private SplittableRandom random(int index, int purpose) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("sample " + index + " of " + size);
        }
        long key = mix(mix(mix(seed) ^ split.ordinal()) ^ index) ^ purpose;
        return new SplittableRandom(mix(key));
    }

    /** A 64-bit finaliser (Stafford's variant 13) that spreads nearby keys over unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Builds a {@link ShapesDataset}. */
    public static final class Builder {
        private long seed;
        private Split split;
        private int size;
        private int imageSize = DEFAULT_IMAGE_SIZE;
        private boolean wholeConversation;
        private int maxShapes = SceneGenerator.MAX_SHAPES;

        private Builder() {}

        /** At most this many shapes per picture (1 to 3); default 3. */
        public Builder optMaxShapes(int value) {
            this.maxShapes = value;
            return this;
        }

        /**
         * Every question about a picture as one conversation, in a seeded order, instead of one question per sample;
         * default false (see the class comment for why).
         */
        public Builder optWholeConversation(boolean value) {
            this.wholeConversation = value;
            return this;
        }

        /** TRAIN or EVAL (required). */
        public Builder setSplit(Split value) {
            this.split = value;
            return this;
        }

        /** The dataset's seed; default 0. */
        public Builder optSeed(long value) {
            this.seed = value;
            return this;
        }

        /** Number of samples; default 100,000 for TRAIN and 1,000 for EVAL. */
        public Builder optSize(int value) {
            this.size = value;
            return this;
        }

        /** Side of the pictures in pixels; default {@value #DEFAULT_IMAGE_SIZE}. */
        public Builder optImageSize(int value) {
            this.imageSize = value;
            return this;
        }

        public ShapesDataset build() {
            if (split == null) {
                throw new IllegalStateException("ShapesDataset needs setSplit(Split.TRAIN or Split.EVAL)");
            }
            if (maxShapes < 1 || maxShapes > SceneGenerator.MAX_SHAPES) {
                throw new IllegalStateException("max shapes must be 1 to " + SceneGenerator.MAX_SHAPES + ", got " + maxShapes);
            }
            if (imageSize < 32 || size < 0) {
                throw new IllegalStateException("image size must be at least 32 pixels and size >= 0, got "
                        + imageSize + " and " + size);
            }
            return new ShapesDataset(this);
        }
    }
}
