package dev.hovle.tools.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.hovle.model.ForwardObserver;
import dev.hovle.model.HoVLEModel;
import dev.hovle.model.dataset.ConversationDataset;
import dev.hovle.model.dataset.Sample;
import dev.hovle.model.dataset.shapes.PlacedShape;
import dev.hovle.model.dataset.shapes.ShapeColour;
import dev.hovle.model.dataset.shapes.ShapeKind;
import dev.hovle.model.dataset.shapes.ShapeScene;
import dev.hovle.model.dataset.shapes.ShapesDataset;
import dev.hovle.model.prompt.Turn;
import dev.hovle.model.train.Batch;
import dev.hovle.model.train.EncodedSample;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.model.vision.InvalidImageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What a model's image tokens carry about the {@code shapes} pictures: after every layer, how well a linear read-out
 * of the token holding a shape's centre recovers its kind, its colour and its cell of the picture's 2×2 grid (see
 * {@link LinearProbe}). A question can only pick out "the circle" if some layer's tokens carry the kind in a form
 * attention can match, and "where is the red circle" needs the cell in the token itself.
 *
 * <pre>{@code
 * ShapesProbe.Report report = ShapesProbe.run(model, encoder, 1000);
 * System.out.print(report.table());
 * }</pre>
 */
public final class ShapesProbe {
    private static final double TRAIN_FRACTION = 0.7;
    private static final int CELLS = 4; // the scenes' 2×2 grid

    private ShapesProbe() {}

    /** One representation's probes. */
    public record Row(String representation, LinearProbe.Result kind, LinearProbe.Result colour,
            LinearProbe.Result cell) {}

    /** Every representation, input to output, and the pictures probed. */
    public record Report(int pictures, List<Row> rows) {
        /** A printable table, with what guessing would score. */
        public String table() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "image tokens of %d EVAL shapes pictures; held-out accuracy of a linear read-out (share of the "
                            + "tokens' variance the label explains)%n", pictures));
            out.append(String.format(Locale.ROOT, "%-18s | %-15s | %-15s | %s%n", "representation",
                    String.format(Locale.ROOT, "kind (1/%d)", ShapeKind.values().length),
                    String.format(Locale.ROOT, "colour (1/%d)", ShapeColour.values().length), "cell (1/" + CELLS + ")"));
            for (Row r : rows) {
                out.append(String.format(Locale.ROOT, "%-18s | %5.3f (%5.3f)   | %5.3f (%5.3f)   | %5.3f (%5.3f)%n",
                        r.representation(), r.kind().heldOutAccuracy(), r.kind().varianceShare(),
                        r.colour().heldOutAccuracy(), r.colour().varianceShare(), r.cell().heldOutAccuracy(),
                        r.cell().varianceShare()));
            }
            return out.toString();
        }
    }

    /**
     * Runs the first {@code pictures} EVAL pictures of {@code shapes} (seed 0, at the model's tile size) through the
     * model and probes the tokens of every shape: the first 70% of the pictures fit the read-outs, the rest score
     * them.
     */
    public static Report run(HoVLEModel model, SampleEncoder encoder, int pictures) {
        if (pictures < 4) {
            throw new IllegalArgumentException("probing needs at least 4 pictures, got " + pictures);
        }
        ShapesDataset data = ShapesDataset.builder().setSplit(ShapesDataset.Split.EVAL)
                .optImageSize(model.config().imageSize()).build();
        Map<String, List<float[]>> features = new LinkedHashMap<>();
        List<int[]> labels = new ArrayList<>(); // per shape: kind, colour, cell
        for (int i = 0; i < Math.min(pictures, data.size()); i++) {
            ShapeScene scene = data.scene(i);
            EncodedSample sample = encode(encoder, data, i, scene);
            int[] imageTokens = imageTokenPositions(model, sample.inputIds());
            List<Integer> shapeTokens = new ArrayList<>();
            for (PlacedShape shape : scene.shapes()) {
                shapeTokens.add(imageTokens[centreToken(scene, shape, imageTokens.length)]);
                labels.add(new int[] {shape.kind().ordinal(), shape.colour().ordinal(),
                        shape.row() * 2 + shape.column()});
            }
            collect(model, sample, shapeTokens, features);
        }
        List<Row> rows = new ArrayList<>();
        features.forEach((name, vectors) -> rows.add(new Row(name,
                LinearProbe.fit(vectors, column(labels, 0), ShapeKind.values().length, TRAIN_FRACTION),
                LinearProbe.fit(vectors, column(labels, 1), ShapeColour.values().length, TRAIN_FRACTION),
                LinearProbe.fit(vectors, column(labels, 2), CELLS, TRAIN_FRACTION))));
        return new Report(Math.min(pictures, data.size()), rows);
    }

    private static EncodedSample encode(SampleEncoder encoder, ShapesDataset data, int index, ShapeScene scene) {
        // Both stacks are causal and the picture comes first, so the question does not change the image tokens.
        Sample sample = new Sample("probe-" + index, data.get(index).images(),
                List.of(new Turn(ConversationDataset.CAPTION_QUESTION, scene.caption())));
        try {
            return encoder.encode(sample);
        } catch (InvalidImageException e) {
            throw new IllegalStateException("shapes picture " + index + " did not decode: " + e.getMessage(), e);
        }
    }

    private static int[] imageTokenPositions(HoVLEModel model, int[] ids) {
        int context = model.config().embedding().imgContextTokenId();
        int[] positions = IntStream.range(0, ids.length).filter(t -> ids[t] == context).toArray();
        if (positions.length != model.config().tokensPerTile()) {
            throw new IllegalStateException("a shapes picture should fill one tile of " + model.config().tokensPerTile()
                    + " image tokens, got " + positions.length);
        }
        return positions;
    }

    /** The image token (row-major in the tile's token grid) that holds the centre of {@code shape}. */
    private static int centreToken(ShapeScene scene, PlacedShape shape, int tokens) {
        int side = (int) Math.round(Math.sqrt(tokens));
        int row = Math.min(side - 1, (int) (shape.centreY() / scene.size() * side));
        int column = Math.min(side - 1, (int) (shape.centreX() / scene.size() * side));
        return row * side + column;
    }

    /** Appends the rows {@code positions} of every representation whose sequence is the LLM's. */
    private static void collect(HoVLEModel model, EncodedSample sample, List<Integer> positions,
            Map<String, List<float[]>> features) {
        int length = sample.inputIds().length;
        try (NDManager scope = model.newScope()) {
            model.forward(scope, new Batch(List.of(sample)).toInputs(scope).get(0), new ForwardObserver() {
                private boolean holisticAligned;

                @Override
                public void holisticInput(NDArray x) {
                    holisticAligned = x.getShape().get(1) == length;
                    take("holistic input", x);
                }

                @Override
                public void holisticLayerOutput(int layer, NDArray x) {
                    take("holistic layer " + layer, x);
                }

                @Override
                public void llmInput(NDArray x) {
                    if (!holisticAligned) { // HoVLE-HD: the holistic layers ran on patches, not tokens
                        take("LLM input", x);
                    }
                }

                @Override
                public void llmLayerOutput(int layer, NDArray x) {
                    take("LLM layer " + layer, x);
                }

                private void take(String name, NDArray x) {
                    if (x.getShape().get(1) != length) {
                        return;
                    }
                    int width = (int) x.getShape().get(2);
                    float[] all = x.toFloatArray();
                    List<float[]> out = features.computeIfAbsent(name, n -> new ArrayList<>());
                    for (int p : positions) {
                        float[] row = new float[width];
                        System.arraycopy(all, p * width, row, 0, width);
                        out.add(row);
                    }
                }
            });
        }
    }

    private static int[] column(List<int[]> rows, int c) {
        return rows.stream().mapToInt(r -> r[c]).toArray();
    }
}
