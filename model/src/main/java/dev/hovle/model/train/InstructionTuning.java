package dev.hovle.model.train;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stage III: next-token prediction on instruction data, training the whole model, or the holistic module plus the
 * last {@code lastLlmLayers} LLM decoder layers (with the LLM's final norm and output head, which those layers feed).
 *
 * @param llmLayers total LLM decoder layers of the model (only read for a subset)
 * @param lastLlmLayers how many of the last LLM layers learn; {@code -1} for the whole model
 */
public record InstructionTuning(int llmLayers, int lastLlmLayers) implements Stage {
    private static final Pattern LLM_LAYER = Pattern.compile("language_model\\.model\\.layers\\.(\\d+)\\..*");

    public InstructionTuning {
        if (lastLlmLayers < -1 || (lastLlmLayers >= 0 && lastLlmLayers > llmLayers)) {
            throw new IllegalArgumentException("cannot train the last " + lastLlmLayers + " of " + llmLayers
                    + " LLM layers");
        }
    }

    /** Every tensor learns. */
    public static InstructionTuning everything() {
        return new InstructionTuning(0, -1);
    }

    /** The holistic module plus the last {@code n} of the model's {@code llmLayers} LLM layers, norm and head. */
    public static InstructionTuning holisticAndLastLayers(int llmLayers, int n) {
        return new InstructionTuning(llmLayers, n);
    }

    @Override
    public boolean trains(String name) {
        if (lastLlmLayers < 0 || name.startsWith(HOLISTIC)) {
            return true;
        }
        if (name.equals("language_model.model.norm.weight") || name.equals("language_model.output.weight")) {
            return lastLlmLayers > 0;
        }
        Matcher layer = LLM_LAYER.matcher(name);
        return layer.matches() && Integer.parseInt(layer.group(1)) >= llmLayers - lastLlmLayers;
    }

    @Override
    public Objective objective() {
        return Objective.NEXT_TOKEN;
    }

    @Override
    public String name() {
        return "instruction";
    }
}
