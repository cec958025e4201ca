/**
 * Reading encoded images named by untrusted records: which URIs may be opened ({@link
 * dev.hovle.operators.access.UriPrefixes}), and reads bounded in size, time and kind of file ({@link
 * dev.hovle.operators.images.ImageReader}), under one set of {@link dev.hovle.operators.images.ImageLimits}.
 */
package dev.hovle.operators.images;
