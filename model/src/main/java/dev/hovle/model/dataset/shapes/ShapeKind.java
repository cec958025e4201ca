package dev.hovle.model.dataset.shapes;

import java.util.Locale;

/** The kinds of shape the {@code shapes} dataset draws, each a region of the square [−1, 1]² (y pointing down). */
public enum ShapeKind {
    CIRCLE {
        @Override
        boolean covers(double u, double v) {
            return u * u + v * v <= 1;
        }
    },
    SQUARE {
        @Override
        boolean covers(double u, double v) {
            // A little inside the box, so a square's area is close to a circle's rather than 27% larger.
            return Math.abs(u) <= 0.86 && Math.abs(v) <= 0.86;
        }
    },
    TRIANGLE {
        @Override
        boolean covers(double u, double v) {
            // Apex at the top, base along y = 0.8: width grows linearly from the apex down.
            return v >= -1 && v <= 0.8 && Math.abs(u) <= (v + 1) / 1.8;
        }
    },
    CROSS {
        @Override
        boolean covers(double u, double v) {
            return (Math.abs(u) <= 0.34 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.34 && Math.abs(u) <= 1);
        }
    };

    /** Whether the point (u, v) of the shape's unit box lies inside the shape. */
    abstract boolean covers(double u, double v);

    /** The word captions and answers use. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
