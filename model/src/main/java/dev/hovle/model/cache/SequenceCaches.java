package dev.hovle.model.cache;


/**
 * The two KV caches of one sequence: the holistic module's (over HD positions in the {@code post} placement) and
 * the LLM's. Both stacks are causal, so caching them gives the same tokens as recomputing the whole sequence.
 */
public record SequenceCaches(KvCache holistic, KvCache llm) implements AutoCloseable {
    @Override
    public void close() {
        holistic.close();
        llm.close();
    }
}
