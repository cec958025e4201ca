package dev.hovle.model.dataset.shapes;

import java.util.Locale;

/** The colours of the {@code shapes} dataset: saturated and darker than every (light, muted) backdrop. */
public enum ShapeColour {
    RED(210, 30, 30),
    GREEN(30, 140, 40),
    BLUE(40, 70, 220),
    BROWN(120, 72, 30),
    PURPLE(130, 40, 170),
    ORANGE(235, 115, 0);

    private final int r;
    private final int g;
    private final int b;

    ShapeColour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** Red, green and blue, 0..255. */
    int[] rgb() {
        return new int[] {r, g, b};
    }

    /** The word captions and answers use. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
