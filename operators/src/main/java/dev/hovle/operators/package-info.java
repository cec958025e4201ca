/** Flink functions that run HoVLE inside streaming jobs. */
package dev.hovle.operators;
