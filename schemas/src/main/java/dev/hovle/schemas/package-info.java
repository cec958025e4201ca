/**
 * The HoVLE Stream event contracts: Avro-generated records (from {@code src/main/avro}), the {@link
 * dev.hovle.schemas.Topic}s that carry them and {@link dev.hovle.schemas.FloatTensors} for tensor payloads.
 *
 * <p>The wire format lives in {@link dev.hovle.schemas.wire}.
 */
package dev.hovle.schemas;
