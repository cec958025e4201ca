package dev.hovle.model.train;

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
        return Kind.named(name).forModel(0, -1);
    }

    /** The three stages of the recipe, as settings name them. */
    enum Kind {
        DISTILLATION, ALIGNMENT, INSTRUCTION;

        /** The kind called {@code name} (any case): distillation, alignment or instruction. */
        public static Kind named(String name) {
            for (Kind kind : values()) {
                if (kind.name().equalsIgnoreCase(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown stage '" + name + "'; known: distillation, alignment, "
                    + "instruction");
        }

        /**
         * This stage for a model with {@code llmLayers} LLM layers; instruction tuning trains the holistic module
         * with the last {@code lastLlmLayers} of them, or the whole model when that is negative.
         */
        public Stage forModel(int llmLayers, int lastLlmLayers) {
            return switch (this) {
                case DISTILLATION -> new Distillation();
                case ALIGNMENT -> new Alignment();
                case INSTRUCTION -> lastLlmLayers >= 0
                        ? InstructionTuning.holisticAndLastLayers(llmLayers, lastLlmLayers)
                        : InstructionTuning.everything();
            };
        }
    }
}
