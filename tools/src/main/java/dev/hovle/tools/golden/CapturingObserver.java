package dev.hovle.tools.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.ForwardObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Copies every intermediate tensor of one forward pass to Java arrays under the fixture's tensor names. */
final class CapturingObserver implements ForwardObserver {
    private final Map<String, float[]> single = new HashMap<>();
    private final List<float[]> holisticLayers = new ArrayList<>();
    private final List<float[]> llmHidden = new ArrayList<>();

    @Override
    public void visionEmbeddings(NDArray x) {
        single.put("vision_embeddings", values(x));
    }

    @Override
    public void imageTokensProjected(NDArray x) {
        single.put("image_tokens_projected", values(x));
    }

    @Override
    public void holisticInput(NDArray x) {
        single.put("holistic_input", values(x));
    }

    @Override
    public void holisticLayerOutput(int layer, NDArray x) {
        holisticLayers.add(values(x));
        single.put("holistic_output", holisticLayers.get(holisticLayers.size() - 1));
    }

    @Override
    public void llmInput(NDArray x) {
        single.put("llm_inputs_embeds", values(x));
        llmHidden.add(single.get("llm_inputs_embeds"));
    }

    @Override
    public void llmLayerOutput(int layer, NDArray x) {
        llmHidden.add(values(x));
    }

    @Override
    public void llmFinalHidden(NDArray x) {
        // Hugging Face's output_hidden_states replaces the last layer's output with its final-norm output.
        llmHidden.set(llmHidden.size() - 1, values(x));
    }

    /** A captured tensor by fixture name, or null when this forward did not produce it. */
    float[] get(String name) {
        return switch (name) {
            case "debug.holistic_layer_outputs" -> concat(holisticLayers);
            case "debug.llm_hidden_states" -> concat(llmHidden);
            default -> single.get(name);
        };
    }

    private static float[] values(NDArray x) {
        return x.toType(DataType.FLOAT32, false).toFloatArray();
    }

    private static float[] concat(List<float[]> parts) {
        if (parts.isEmpty()) {
            return null;
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
