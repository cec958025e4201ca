package dev.hovle.operators.inference;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.VlmRequest;
import java.util.List;

/**
 * A request with all its images at hand, ready for preparation: a user's request once its named images joined it,
 * or a caption the job created for an arriving image.
 *
 * @param request the request (its inline images moved to {@code images})
 * @param images every image in prompt order: named ones first, then inline ones
 * @param source the Kafka record a failure is reported against, with its raw bytes
 * @param readyMillis when the last image joined (UTC milliseconds): queue time counts from here
 */
public record WorkItem(VlmRequest request, List<ImageInput> images, SourceRecord source, long readyMillis) {}
