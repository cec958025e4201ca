package dev.hovle.model.snapshot;

import java.util.Locale;

/**
 * Named model shapes for randomly initialised snapshots, from a CI-sized toy to the released 2.6B shape.
 *
 * @param hidden model width C
 * @param heads query heads H
 * @param kvHeads key/value heads K
 * @param intermediate SwiGLU width I
 * @param holisticLayers decoder layers of the holistic embedding module
 * @param llmLayers decoder layers of the LLM
 * @param imageSize tile side (a multiple of 28: 14-pixel patches, 2x2 pixel shuffle)
 * @param vocab vocabulary size, special tokens included
 * @param maxTiles most tiles of the dynamic grid
 */
public record ModelSize(String name, int hidden, int heads, int kvHeads, int intermediate, int holisticLayers,
        int llmLayers, int imageSize, int vocab, int maxTiles) {

    public static final ModelSize TINY = new ModelSize("tiny", 64, 4, 2, 176, 2, 3, 56, 1024, 6);
    public static final ModelSize SMALL = new ModelSize("small", 256, 8, 4, 704, 2, 4, 112, 4096, 6);
    public static final ModelSize MEDIUM = new ModelSize("medium", 1024, 8, 4, 4096, 4, 12, 448, 32768, 6);
    /** The released HoVLE shape: InternLM2-1.8B plus an 8-layer holistic module, 2,606,327,808 parameters. */
    public static final ModelSize HOVLE_2_6B = new ModelSize("2.6b", 2048, 16, 8, 8192, 8, 24, 448, 92553, 6);

    private static final ModelSize[] ALL = {TINY, SMALL, MEDIUM, HOVLE_2_6B};

    /** The size with this name (tiny, small, medium, 2.6b). */
    public static ModelSize named(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (ModelSize s : ALL) {
            if (s.name.equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown model size '" + name + "'; known: " + names());
    }

    /** The known size names. */
    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (ModelSize s : ALL) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.name);
        }
        return sb.toString();
    }

    /** Parameters of the whole model (both stacks, all tables, stored but unused ones included). */
    public long parameterCount() {
        long c = hidden;
        long d = c / heads;
        long layer = (heads + 2L * kvHeads) * d * c + c * c + 3 * c * intermediate + 2 * c;
        long patches = (long) (imageSize / 14) * (imageSize / 14);
        long holistic = holisticLayers * layer + vocab * c + c * 3 * 14 * 14 + c + (patches + 1) * c + c
                + 4 * c * c + c + c * c + c;
        long llm = llmLayers * layer + 2 * vocab * c + c;
        return holistic + llm;
    }
}
