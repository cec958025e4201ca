package dev.hovle.operators.inference;

import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ImageEvent;

/**
 * A decoded image event and the Kafka record it came from.
 *
 * @param image the event
 * @param source where it was read (its value is dropped once the event sits in state)
 */
public record IncomingImage(ImageEvent image, SourceRecord source) {}
