/**
 * The wire format of every HoVLE topic, Avro single-object encoding: {@link dev.hovle.schemas.wire.EventCodec}
 * encodes and decodes, {@link dev.hovle.schemas.wire.EventDecodingException} says why a value is not an event, and
 * {@link dev.hovle.schemas.wire.SchemaFingerprint} and {@link dev.hovle.schemas.wire.WireHeaders} show the header
 * bytes non-Java producers need.
 */
package dev.hovle.schemas.wire;
