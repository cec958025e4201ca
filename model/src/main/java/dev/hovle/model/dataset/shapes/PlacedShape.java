package dev.hovle.model.dataset.shapes;

/**
 * One shape of a scene, in pixels of the rendered image, and the cell of the scene's 2×2 grid it stands in.
 *
 * @param kind what it is
 * @param colour its fill
 * @param centreX horizontal centre
 * @param centreY vertical centre (down is positive)
 * @param halfSize half the side of its bounding box
 * @param column the grid column, 0 (left) or 1 (right)
 * @param row the grid row, 0 (top) or 1 (bottom)
 */
public record PlacedShape(ShapeKind kind, ShapeColour colour, double centreX, double centreY, double halfSize,
        int column, int row) {

    /** "red circle". */
    public String name() {
        return colour.word() + " " + kind.word();
    }

    /** Where this shape is relative to {@code other}, which shares its row or column: left, right, above, below. */
    public String relationTo(PlacedShape other) {
        if (row == other.row && column != other.column) {
            return column < other.column ? "left" : "right";
        }
        if (column == other.column && row != other.row) {
            return row < other.row ? "above" : "below";
        }
        throw new IllegalArgumentException(name() + " and " + other.name() + " share neither a row nor a column");
    }
}
