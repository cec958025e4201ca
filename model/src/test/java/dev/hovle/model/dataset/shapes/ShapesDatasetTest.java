package dev.hovle.model.dataset.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.dataset.EvalQuestion;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.prompt.Turn;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {
    private final ShapesDataset train = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(3).build();
    private final ShapesDataset eval = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL).optSeed(3).build();

    @Test
    void producesTheSameSamplesForTheSameSeed() {
        ShapesDataset again = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(3).build();
        ShapesDataset other = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(4).build();
        for (int i = 0; i < 20; i++) {
            assertThat(again.get(i).images().get(0)).isEqualTo(train.get(i).images().get(0));
            assertThat(again.get(i).turns()).isEqualTo(train.get(i).turns());
        }
        assertThat(other.get(0).images().get(0)).isNotEqualTo(train.get(0).images().get(0));
    }

    @Test
    void rendersEachShapeInItsColourAtItsPlace() throws Exception {
        for (int i = 0; i < 50; i++) {
            ShapeScene scene = train.scene(i);
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(train.get(i).images().get(0)));
            assertThat(png.getWidth()).isEqualTo(ShapesDataset.DEFAULT_IMAGE_SIZE);
            for (PlacedShape shape : scene.shapes()) {
                int rgb = png.getRGB((int) shape.centreX(), (int) shape.centreY());
                int[] want = shape.colour().rgb();
                assertThat(new int[] {rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255}).as(shape.name())
                        .satisfies(got -> {
                            for (int c = 0; c < 3; c++) {
                                assertThat(Math.abs(got[c] - want[c])).isLessThanOrEqualTo(1);
                            }
                        });
            }
        }
    }

    @Test
    void variesKindsColoursCountsCellsSizesAndBackgrounds() {
        Set<ShapeKind> kinds = EnumSet.noneOf(ShapeKind.class);
        Set<ShapeColour> colours = EnumSet.noneOf(ShapeColour.class);
        Set<Integer> counts = new HashSet<>();
        Set<String> cells = new HashSet<>();
        Set<Long> sizes = new HashSet<>();
        Set<Long> columns = new HashSet<>();
        Set<Integer> tones = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            ShapeScene scene = train.scene(i);
            counts.add(scene.shapes().size());
            tones.add(scene.background().from()[0] / 8);
            for (PlacedShape s : scene.shapes()) {
                kinds.add(s.kind());
                colours.add(s.colour());
                cells.add(s.column() + "," + s.row());
                sizes.add(Math.round(s.halfSize()));
                columns.add(Math.round(s.centreX() / 4));
                assertThat(s.centreX() - s.halfSize()).isGreaterThanOrEqualTo(s.column() * 56);
                assertThat(s.centreX() + s.halfSize()).isLessThanOrEqualTo((s.column() + 1) * 56);
            }
        }
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(4);
        assertThat(colours).hasSizeGreaterThanOrEqualTo(6);
        assertThat(counts).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(cells).hasSize(4);
        assertThat(sizes).hasSizeGreaterThan(6);
        assertThat(columns).hasSizeGreaterThan(8);
        assertThat(tones).hasSizeGreaterThan(5);
    }

    @Test
    void captionsNameEveryShapeWithColourAndRelativePosition() {
        PlacedShape redCircle = new PlacedShape(ShapeKind.CIRCLE, ShapeColour.RED, 30, 80, 20, 0, 1);
        PlacedShape blueSquare = new PlacedShape(ShapeKind.SQUARE, ShapeColour.BLUE, 85, 80, 20, 1, 1);
        PlacedShape orangeCross = new PlacedShape(ShapeKind.CROSS, ShapeColour.ORANGE, 28, 25, 20, 0, 0);
        ShapeScene three = new ShapeScene(112, List.of(redCircle, blueSquare, orangeCross), null);
        assertThat(three.caption()).isEqualTo("a red circle left of a blue square and below an orange cross");
        assertThat(three.questions(1, 2, 2)).containsExactly(
                new Turn("How many shapes are there?", "three"),
                new Turn("What colour is the square?", "The square is blue."),
                new Turn("Which shape is orange?", "cross"),
                new Turn("Where is the orange cross relative to the red circle?",
                        "The orange cross is above the red circle."));
        ShapeScene column = new ShapeScene(112, List.of(orangeCross, redCircle), null);
        assertThat(column.caption()).isEqualTo("an orange cross above a red circle");
        assertThat(column.positionQuestion(redCircle, orangeCross).answer())
                .isEqualTo("The red circle is below the orange cross.");
        assertThat(three.positionQuestion(blueSquare, redCircle).answer())
                .isEqualTo("The blue square is right of the red circle.");
        assertThat(new ShapeScene(112, List.of(blueSquare), null).caption()).isEqualTo("a blue square");
    }

    @Test
    void relatesEveryShapeToTheFirstAlongARowOrAColumn() {
        for (int i = 0; i < 200; i++) {
            List<PlacedShape> shapes = train.scene(i).shapes();
            for (PlacedShape other : shapes.subList(1, shapes.size())) {
                assertThat(shapes.get(0).relationTo(other)).isIn("left", "right", "above", "below");
            }
            if (shapes.size() == 2) {
                assertThat(shapes.get(0).relationTo(shapes.get(1))).isIn("left", "above");
            }
        }
    }

    @Test
    void asksOneQuestionPerSampleAsEvaluationDoes() {
        java.util.Set<String> asked = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            Sample sample = train.get(i);
            assertThat(sample.turns()).hasSize(1);
            assertThat(train.questions(i).stream().map(q -> new Turn(q.question(), q.answer())).toList())
                    .contains(sample.turns().get(0));
            asked.add(sample.turns().get(0).question().split(" ")[0]);
        }
        assertThat(asked).as("caption requests and every kind of question").hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void labelsEveryEvalQuestionWithWhatItAsks() {
        for (int i = 0; i < 20; i++) {
            List<EvalQuestion> questions = eval.questions(i);
            List<String> kinds = questions.stream().map(EvalQuestion::kind).toList();
            List<String> expected = eval.scene(i).shapes().size() == 1
                    ? List.of("caption", "count", "colour", "kind")
                    : List.of("caption", "count", "colour", "kind", "position");
            assertThat(kinds).as("picture %d", i).isEqualTo(expected);
            assertThat(questions.get(2).question()).startsWith("What colour");
            assertThat(questions.get(3).question()).startsWith("Which shape");
        }
    }

    @Test
    void offersWholeConversationsAndEvaluatesEachQuestionAlone() {
        ShapesDataset conversations = ShapesDataset.builder().setSplit(ShapesDataset.Split.TRAIN).optSeed(3)
                .optWholeConversation(true).build();
        Sample sample = conversations.get(5);
        List<EvalQuestion> questions = train.questions(5);
        assertThat(sample.turns()).hasSameSizeAs(questions);
        assertThat(questions.get(0).caption()).isTrue();
        assertThat(questions.get(0).answer()).isEqualTo(train.scene(5).caption());
        assertThat(questions).allSatisfy(q -> assertThat(q.history()).isEmpty());
        assertThat(questions.stream().map(q -> new Turn(q.question(), q.answer())).toList())
                .containsExactlyInAnyOrderElementsOf(sample.turns());
    }

    @Test
    void neverSharesAnImageBetweenTrainAndEval() throws Exception {
        Set<String> trainImages = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            trainImages.add(digest(train.get(i).images().get(0)));
        }
        assertThat(trainImages).hasSize(1000);
        for (int i = 0; i < 200; i++) {
            assertThat(trainImages).doesNotContain(digest(eval.get(i).images().get(0)));
        }
    }

    private static String digest(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
