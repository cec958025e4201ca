package dev.hovle.model.train;

/**
 * Stage I: the holistic embedding module alone learns to reproduce teacher targets (negative cosine similarity):
 * a visual encoder's features at image tokens, the LLM's own token-embedding rows at text tokens.
 */
public record Distillation() implements Stage {
    @Override
    public boolean trains(String name) {
        return name.startsWith(HOLISTIC);
    }

    @Override
    public Objective objective() {
        return Objective.TEACHER_COSINE;
    }

    @Override
    public String name() {
        return "distillation";
    }
}
