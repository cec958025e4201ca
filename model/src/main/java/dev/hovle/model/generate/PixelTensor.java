package dev.hovle.model.generate;

import java.util.List;

/**
 * Normalised image tiles as plain Java data, so a request can cross threads before any native array exists.
 *
 * @param values float32 values in (tiles, 3, size, size) order
 * @param tiles tiles of all images of the prompt, in prompt order
 * @param size tile side
 */
public record PixelTensor(float[] values, int tiles, int size) {
    public PixelTensor {
        if ((long) tiles * 3 * size * size != values.length) {
            throw new IllegalArgumentException(values.length + " values do not form " + tiles + " tiles of 3x" + size + "x"
                    + size);
        }
    }

    /** Concatenates the tiles of several images in order; null when there are none. */
    public static PixelTensor concat(List<PixelTensor> images) {
        if (images.isEmpty()) {
            return null;
        }
        int size = images.get(0).size();
        int tiles = images.stream().mapToInt(PixelTensor::tiles).sum();
        float[] values = new float[tiles * 3 * size * size];
        int at = 0;
        for (PixelTensor image : images) {
            if (image.size() != size) {
                throw new IllegalArgumentException("tiles of different sizes: " + size + " and " + image.size());
            }
            System.arraycopy(image.values(), 0, values, at, image.values().length);
            at += image.values().length;
        }
        return new PixelTensor(values, tiles, size);
    }
}
