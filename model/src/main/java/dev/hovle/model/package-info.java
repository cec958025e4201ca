/**
 * HoVLE in DJL: configuration, weights, tokenizer and chat template, image preprocessing, the forward pass,
 * generation and training. Nothing here depends on Flink or Kafka, so the library can be tested, benchmarked and
 * used on its own.
 */
package dev.hovle.model;
