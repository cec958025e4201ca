/**
 * Flink SQL for HoVLE Stream: {@code model} is the {@code 'provider' = 'hovle'} model provider behind
 * {@code CREATE MODEL} and {@code ML_PREDICT}, {@code format} the {@code 'hovle-avro'} format that reads the
 * project's Kafka events as table rows, {@code script} the statement runner behind {@code hovle sql --file}.
 */
package dev.hovle.sql;
