/**
 * Image preprocessing for HoVLE: decoding, Pillow-exact conversion to 8-bit RGB, Pillow-exact bicubic resampling,
 * InternVL dynamic tiling and ImageNet normalisation, reproducing the official Python path (Pillow 9.4 +
 * torchvision) bit for bit.
 *
 * <p>The entry point is {@link dev.hovle.model.vision.ImagePreprocessor}; everything else here is package-private
 * except the value types it returns ({@link dev.hovle.model.vision.PreprocessedImage},
 * {@link dev.hovle.model.vision.RgbImage}, {@link dev.hovle.model.vision.TileGrid}) and the one checked
 * exception ({@link dev.hovle.model.vision.InvalidImageException}).
 */
package dev.hovle.model.vision;
