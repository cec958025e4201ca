package dev.hovle.model.train;

import java.util.Locale;

/**
 * A training stage of HoVLE (the paper's recipe): which released tensors learn, and against what objective.
 *
 * <p>{@link Distillation} trains the holistic embedding module alone towards teacher targets; {@link Alignment}
 * trains it through the frozen LLM on next-token prediction; {@link InstructionTuning} trains the whole model, or
 * a configured subset, on next-token prediction.
 */
public sealed interface Stage permits Distillation, Alignment, InstructionTuning {
    /** Prefix of the holistic embedding module's tensors. */
    String HOLISTIC = "embedding_model.";
    /** Prefix of the language model's tensors. */
    String LLM = "language_model.";

    /** Whether the released tensor {@code name} is updated at this stage. */
    boolean trains(String name);

    /** What the loss compares. */
    Objective objective();

    /** The stage's command-line name. */
    String name();

    /** The stage called {@code name} on the command line: distillation, alignment or instruction (everything). */
    static Stage named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "distillation" -> new Distillation();
            case "alignment" -> new Alignment();
            case "instruction" -> InstructionTuning.everything();
            default -> throw new IllegalArgumentException("unknown stage '" + name
                    + "'; known: distillation, alignment, instruction");
        };
    }
}
