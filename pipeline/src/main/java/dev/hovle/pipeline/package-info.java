/** Job graphs, entry points and the local runtime of HoVLE Stream. */
package dev.hovle.pipeline;
