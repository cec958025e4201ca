/**
 * What a job may open on behalf of untrusted records: URIs under configured prefixes only ({@link
 * dev.hovle.operators.access.UriPrefixes}), for images and for model checkpoints alike.
 */
package dev.hovle.operators.access;
