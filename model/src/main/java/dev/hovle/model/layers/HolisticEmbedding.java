package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.hovle.model.cache.KvCache;
import dev.hovle.model.config.EmbeddingConfig;
import dev.hovle.model.weights.HolisticWeights;
import dev.hovle.model.weights.HostViews;
import java.util.List;

/**
 * HoVLE's holistic embedding module: image patches and text tokens embedded into one sequence and run through
 * causal decoder layers, whose outputs (no final norm) become the LLM's input embeddings.
 */
public final class HolisticEmbedding {
    private final EmbeddingConfig config;
    private final HolisticWeights weights;
    private final HostViews views;
    private final DecoderStack stack;

    public HolisticEmbedding(EmbeddingConfig config, HolisticWeights weights, HostViews views) {
        this.config = config;
        this.weights = weights;
        this.views = views;
        this.stack = new DecoderStack(config.transformer(), weights.layers(), views);
    }

    /** The module's decoder layers. */
    public DecoderStack stack() {
        return stack;
    }

    /** Conv2d patches plus learnt positions: pixels (T, 3, S, S) → (T, P, C). */
    public NDArray visionEmbeddings(NDArray pixels) {
        int p = config.patchSize();
        long tiles = pixels.getShape().get(0);
        long c = config.transformer().hiddenSize();
        NDArray patches = Conv2d.conv2d(pixels, weights.patchWeight(), weights.patchBias(), new Shape(p, p))
                .singletonOrThrow(); // (T, C, g, g)
        patches = patches.reshape(tiles, c, -1).transpose(0, 2, 1); // (T, P, C), patches row-major
        // Row 0 of the table is the CLS slot, unused; at the native tile size the table needs no interpolation.
        NDArray positions = weights.positionEmbedding().get(patches.getManager(), new NDIndex(":, 1:, :")); // (1, P, C)
        return patches.add(positions);
    }

    /**
     * Pixel shuffle per tile: token (i, j) of the (g/r)² grid concatenates the r×r block of patches starting at
     * (r·i, r·j) in row-major order. (T, P, C) → (T, P/r², r²·C).
     */
    public NDArray pixelShuffle(NDArray x) {
        Shape s = x.getShape();
        long tiles = s.get(0);
        long c = s.get(2);
        int g = config.patchGrid();
        int r = config.shuffleFactor();
        return x.reshape(tiles, g / r, r, g / r, r, c) // (T, i, a, j, b, C)
                .transpose(0, 1, 3, 2, 4, 5) // (T, i, j, a, b, C)
                .reshape(tiles, (long) (g / r) * (g / r), r * r * c);
    }

    /** The projector: Linear(r²C → C), exact GELU, Linear(C → C). (..., r²C) → (..., C). */
    public NDArray project(NDArray shuffled) {
        NDArray h = Ops.gelu(Ops.linear(shuffled, weights.projectorIn(), weights.projectorInBias()));
        return Ops.linear(h, weights.projectorOut(), weights.projectorOutBias());
    }

    /**
     * The sequences entering the first layer, right-padded (B, N_max, C): every id of prompt b looked up in the text
     * table, its {@code <IMG_CONTEXT>} rows overwritten, in order, by its {@code imageRowCounts[b]} rows of
     * {@code imageRows} (all prompts' image rows in prompt order, or null when no prompt has images), and zeros after
     * its end. One gather builds the whole batch.
     */
    public NDArray inputSequences(NDManager scope, List<int[]> ids, NDArray imageRows, long[] imageRowCounts) {
        int context = config.imgContextTokenId();
        int longest = ids.stream().mapToInt(p -> p.length).max().orElseThrow();
        int textRows = ids.stream().mapToInt(p -> p.length).sum();
        long imageCount = imageRows == null ? 0 : imageRows.getShape().get(0);
        long zeroRow = textRows + imageCount;
        // Gather from [text rows of every prompt; image rows; one zero row]: a context slot reads its prompt's next
        // image row instead of its own text row, a slot past the prompt's end reads the zero row.
        long[] source = new long[ids.size() * longest];
        int text = 0;
        long image = 0;
        for (int b = 0; b < ids.size(); b++) {
            int[] prompt = ids.get(b);
            long slots = 0;
            for (int t = 0; t < longest; t++) {
                boolean slot = t < prompt.length && prompt[t] == context;
                source[b * longest + t] = t >= prompt.length ? zeroRow : slot ? textRows + image + slots++ : text + t;
            }
            if (slots != imageRowCounts[b]) {
                throw new IllegalArgumentException("prompt " + b + " has " + slots + " <IMG_CONTEXT> tokens but its "
                        + "images give " + imageRowCounts[b] + " image tokens");
            }
            text += prompt.length;
            image += slots;
        }
        int[] allIds = new int[textRows];
        int at = 0;
        for (int[] prompt : ids) {
            System.arraycopy(prompt, 0, allIds, at, prompt.length);
            at += prompt.length;
        }
        NDArray table = embedTokens(scope, allIds).squeeze(0); // (ΣN, C)
        NDList rows = new NDList(table);
        if (imageRows != null) {
            rows.add(imageRows.toType(table.getDataType(), false));
        }
        rows.add(scope.zeros(new Shape(1, table.getShape().get(1)), table.getDataType()));
        return Ops.gatherRows(NDArrays.concat(rows, 0), scope.create(source)).reshape(ids.size(), longest, -1);
    }

    /**
     * Text-table rows for generated tokens (1, N, C), with no image slots: a generated {@code <IMG_CONTEXT>} is just
     * another token.
     */
    public NDArray embedTokens(NDManager scope, int[] ids) {
        return Ops.tableRows(scope, weights.textEmbeddings(), ids, views).expandDims(0);
    }

    /** Runs the decoder layers over (1, T, C) whose positions follow those in {@code cache} (null: from 0). */
    public NDArray encode(NDArray sequence, KvCache cache, DecoderStack.LayerObserver observer) {
        return stack.forward(sequence, cache, observer);
    }

    EmbeddingConfig config() {
        return config;
    }

    HolisticWeights weights() {
        return weights;
    }
}
