package dev.hovle.operators.inference;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.VlmRequest;

/**
 * A decoded, validated request and the Kafka record it came from.
 *
 * @param request the request
 * @param source where it was read, with its raw bytes for a dead letter
 * @param receivedMillis when the job decoded it (UTC milliseconds)
 */
public record IncomingRequest(VlmRequest request, SourceRecord source, long receivedMillis) {}
