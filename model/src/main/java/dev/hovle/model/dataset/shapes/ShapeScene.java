package dev.hovle.model.dataset.shapes;

import dev.hovle.model.prompt.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * A picture of the {@code shapes} dataset: one to three shapes of distinct kinds and colours in distinct cells of a
 * 2×2 grid, so that every relation the captions and questions use is unambiguous. Two shapes share a row or a
 * column; three form an L around a corner shape, which shares its row with one and its column with the other.
 *
 * @param size width and height in pixels
 * @param shapes the shapes in caption order: the top-left one (one shape or two), or the corner, its row neighbour
 *     and its column neighbour (three)
 * @param background the backdrop
 */
public record ShapeScene(int size, List<PlacedShape> shapes, Background background) {
    private static final String[] NUMBERS = {"zero", "one", "two", "three"};
    /** What each turn of {@link #questions} asks, in its order. */
    public static final List<String> QUESTION_KINDS = List.of("count", "colour", "kind", "position");

    public ShapeScene {
        shapes = List.copyOf(shapes);
        if (shapes.isEmpty() || shapes.size() >= NUMBERS.length) {
            throw new IllegalArgumentException("a scene has 1 to 3 shapes, not " + shapes.size());
        }
    }

    /**
     * The caption: every shape with its colour and where it is relative to the first, e.g. "a red circle above a blue
     * square" or "a red circle right of a green cross and below an orange triangle".
     */
    public String caption() {
        PlacedShape first = shapes.get(0);
        StringBuilder caption = new StringBuilder(article(first));
        for (int i = 1; i < shapes.size(); i++) {
            caption.append(i == 1 ? " " : " and ").append(preposition(first.relationTo(shapes.get(i)))).append(' ')
                    .append(article(shapes.get(i)));
        }
        return caption.toString();
    }

    /** "left of", "right of", "above", "below". */
    private static String preposition(String relation) {
        return relation.equals("left") || relation.equals("right") ? relation + " of" : relation;
    }

    /** "a red circle", "an orange square". */
    private static String article(PlacedShape shape) {
        String name = shape.name();
        return ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
    }

    /** "How many shapes are there?" → "two". */
    public Turn countQuestion() {
        return new Turn("How many shapes are there?", NUMBERS[shapes.size()]);
    }

    /**
     * "What colour is the circle?" → "The circle is red." The answer names the shape before its colour: a model
     * trained from scratch learns to find a shape by its kind when the colour follows the kind word it just wrote,
     * and not, in the same budget, from a one-word answer (see docs/training-shapes.md).
     */
    public Turn colourQuestion(PlacedShape shape) {
        return new Turn("What colour is the " + shape.kind().word() + "?",
                "The " + shape.kind().word() + " is " + shape.colour().word() + ".");
    }

    /** "Which shape is red?" → "circle". */
    public Turn kindQuestion(PlacedShape shape) {
        return new Turn("Which shape is " + shape.colour().word() + "?", shape.kind().word());
    }

    /**
     * "Where is the red circle relative to the blue square?" → "The red circle is above the blue square." (or left
     * of, right of, below), naming the subject before its place, as {@link #colourQuestion} does.
     */
    public Turn positionQuestion(PlacedShape subject, PlacedShape reference) {
        return new Turn("Where is the " + subject.name() + " relative to the " + reference.name() + "?",
                "The " + subject.name() + " is " + preposition(subject.relationTo(reference)) + " the "
                        + reference.name() + ".");
    }

    /**
     * One question of each kind: count, the colour of shape {@code colourOf}, the kind of shape {@code kindOf} and,
     * with two or more shapes, where shape {@code subject} is relative to the first shape (or, when the subject is
     * the first, to the second).
     */
    public List<Turn> questions(int colourOf, int kindOf, int subject) {
        List<Turn> turns = new ArrayList<>();
        turns.add(countQuestion());
        turns.add(colourQuestion(shapes.get(colourOf)));
        turns.add(kindQuestion(shapes.get(kindOf)));
        if (shapes.size() > 1) {
            // Every shape shares a row or a column with the first; the first with the second.
            PlacedShape reference = subject == 0 ? shapes.get(1) : shapes.get(0);
            turns.add(positionQuestion(shapes.get(subject), reference));
        }
        return turns;
    }
}
