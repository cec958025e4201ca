package dev.hovle.model.dataset.shapes;

/**
 * A scene's backdrop: a linear gradient between two muted tones plus seeded per-pixel noise.
 *
 * @param from the tone at the gradient's start, RGB 0..255
 * @param to the tone at its end
 * @param angle the gradient's direction in radians
 * @param noise the noise amplitude in intensity levels
 * @param noiseSeed the noise's seed
 */
public record Background(int[] from, int[] to, double angle, double noise, long noiseSeed) {}
