package dev.hovle.operators.inference;

/**
 * A request's need for one image named by id; routed to the image's key so it meets the image there.
 *
 * @param requestId the request that needs it
 * @param imageId the image
 * @param index its position among the request's named images
 */
public record ImageNeed(String requestId, String imageId, int index) {}
