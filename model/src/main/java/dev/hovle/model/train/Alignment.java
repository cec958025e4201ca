package dev.hovle.model.train;

/**
 * Stage II: next-token prediction on image-text data with the LLM frozen; gradients flow through the LLM into the
 * holistic embedding module, the only part that learns. Every LLM weight stays bit-identical.
 */
public record Alignment() implements Stage {
    @Override
    public boolean trains(String name) {
        return name.startsWith(HOLISTIC);
    }

    @Override
    public Objective objective() {
        return Objective.NEXT_TOKEN;
    }

    @Override
    public String name() {
        return "alignment";
    }
}
