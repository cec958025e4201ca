package dev.hovle.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The golden model cases as test models, and variants of them (another placement) made in a temp folder. */
public final class TestModels {
    private TestModels() {}

    /** The golden fixtures root: {@code -Dhovle.golden.dir}, else {@code ../shared/golden}. */
    public static Path goldenRoot() {
        String configured = System.getProperty("hovle.golden.dir");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "shared", "golden");
        if (!Files.isDirectory(root)) {
            root = Path.of("..", "..", "shared", "golden");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("golden fixtures not found at " + root.toAbsolutePath());
        }
        return root.normalize();
    }

    /** Every golden model case folder. */
    public static List<Path> goldenModelCases() throws IOException {
        List<Path> cases = new ArrayList<>();
        try (var dirs = Files.list(goldenRoot().resolve("models"))) {
            dirs.filter(d -> Files.exists(d.resolve("case.safetensors"))).sorted().forEach(cases::add);
        }
        return cases;
    }

    /** The first golden model case, which has an image. */
    public static Path goldenCase() throws IOException {
        return goldenModelCases().get(0);
    }

    /** A copy of a case's model (config and weights) with {@code pixel_shuffle_loc} set to {@code post}. */
    public static Path asPostPlacement(Path caseDir, Path tempDir) throws IOException {
        return variant(caseDir, tempDir, "post", config -> config.put("pixel_shuffle_loc", "post"));
    }

    /** A copy of a case's model with its {@code embedding_config} edited: same weights, another model. */
    public static Path variant(Path caseDir, Path tempDir, String name,
            java.util.function.Consumer<ObjectNode> editEmbeddingConfig) throws IOException {
        return withConfig(caseDir, tempDir, name, config -> editEmbeddingConfig.accept(
                (ObjectNode) config.get("embedding_config")));
    }

    /** A copy of a case's model with its whole {@code config.json} edited: same weights, another model. */
    public static Path withConfig(Path caseDir, Path tempDir, String name,
            java.util.function.Consumer<ObjectNode> editConfig) throws IOException {
        Path out = Files.createDirectories(tempDir.resolve(name + "-" + caseDir.getFileName()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(caseDir.resolve("config.json").toFile());
        editConfig.accept(config);
        Files.writeString(out.resolve("config.json"), json.writeValueAsString(config));
        try (var files = Files.list(caseDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("model")).toList()) {
                Files.copy(f, out.resolve(f.getFileName()));
            }
        }
        return out;
    }

    /**
     * The first golden case's weights with dynamic NTK scaling (factor 2) past small limits, in either placement: a
     * limit of 0 leaves that stack's rope as the golden config has it.
     */
    public static Path withDynamicNtk(Path tempDir, boolean post, int holisticMaxPositions, int llmMaxPositions)
            throws IOException {
        String name = (post ? "post" : "pre") + "-ntk-" + holisticMaxPositions + "-" + llmMaxPositions;
        return withConfig(goldenCase(), tempDir, name, config -> {
            ObjectNode embedding = (ObjectNode) config.get("embedding_config");
            if (post) {
                embedding.put("pixel_shuffle_loc", "post");
            }
            dynamicNtk(embedding, holisticMaxPositions);
            dynamicNtk((ObjectNode) config.get("llm_config"), llmMaxPositions);
        });
    }

    /** Sets a stack's config to dynamic NTK scaling (factor 2) past {@code maxPositions}; 0 leaves it as it is. */
    public static void dynamicNtk(ObjectNode stackConfig, int maxPositions) {
        if (maxPositions > 0) {
            stackConfig.put("max_position_embeddings", maxPositions);
            stackConfig.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0);
        }
    }

    /** The prompt ids of a golden case. */
    public static int[] promptIds(Path caseDir) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(caseDir.resolve("case.safetensors"))) {
            return toInts(f.longs("input_ids"));
        }
    }

    /** The pixel values of a golden case, or null. */
    public static float[] pixelValues(Path caseDir) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(caseDir.resolve("case.safetensors"))) {
            return f.tensors().containsKey("pixel_values") ? f.floats("pixel_values") : null;
        }
    }

    /** Expands every run of {@code <IMG_CONTEXT>} by {@code factor}: the HD prompt of the post placement. */
    public static int[] hdIds(int[] ids, int contextId, int factor) {
        List<Integer> out = new ArrayList<>();
        for (int id : ids) {
            for (int r = 0; r < (id == contextId ? factor : 1); r++) {
                out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }
}
