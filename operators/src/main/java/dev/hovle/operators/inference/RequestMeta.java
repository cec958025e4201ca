package dev.hovle.operators.inference;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.Task;
import java.util.List;

/**
 * What the result of a request needs to know about it, carried past preparation so the prompt's images and text
 * can be dropped.
 *
 * @param requestId the request id, the result's key
 * @param task the task
 * @param imageIds the named images
 * @param eventTimeMillis the request's event time (UTC milliseconds)
 * @param readyMillis when the request had all its images (UTC milliseconds)
 * @param source the Kafka record a failure is reported against
 */
public record RequestMeta(String requestId, Task task, List<String> imageIds, long eventTimeMillis, long readyMillis,
        SourceRecord source) {}
