package dev.hovle.operators.inference;

import dev.hovle.schemas.ImageEvent;

/**
 * The answer to an {@link ImageNeed}, routed back to the request's key: the image, or null when it did not arrive
 * within the wait.
 *
 * @param requestId the request that needs it
 * @param imageId the image
 * @param index its position among the request's named images
 * @param image the image event, or null when it is missing
 */
public record ImagePart(String requestId, String imageId, int index, ImageEvent image) {

    /** Whether the image arrived in time. */
    public boolean found() {
        return image != null;
    }
}
