package dev.hovle.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.hovle.model.HoVLEModel;

/** What a stage's loss compares; each sums its terms over a batch, the trainer divides by the step's term count. */
public enum Objective {
    /** Cross-entropy of each answer token (and its {@code <|im_end|>}) given everything before it. */
    NEXT_TOKEN {
        @Override
        public NDArray lossSum(HoVLEModel model, NDManager scope, Batch batch) {
            NDArray hidden = model.hiddenStates(scope, batch.toInputs(scope)); // (B, N, C)
            return Losses.nextTokenCrossEntropySum(scope, hidden, batch.labels(), model::lmHead);
        }
    },
    /**
     * Negative cosine similarity of the holistic module's output at every position with its teacher target: the
     * sample's teacher features at image tokens, the LLM's own {@code tok_embeddings} row at text tokens.
     */
    TEACHER_COSINE {
        @Override
        public NDArray lossSum(HoVLEModel model, NDManager scope, Batch batch) {
            NDArray out = model.inputEmbeddings(scope, batch.toInputs(scope)); // (B, N, C)
            long n = out.getShape().get(1);
            long width = out.getShape().get(2);
            int context = model.config().embedding().imgContextTokenId();
            NDArray table = model.weights().llm().tokEmbeddings(); // (V, C), a fixed target: never trained here
            NDList targets = new NDList();
            long[] rows = new long[Math.toIntExact(batch.targets(this))];
            int at = 0;
            for (int b = 0; b < batch.samples().size(); b++) {
                EncodedSample s = batch.samples().get(b);
                int[] ids = s.inputIds();
                long[] textIds = new long[ids.length];
                long[] source = new long[ids.length];
                int image = 0;
                for (int t = 0; t < ids.length; t++) {
                    rows[at++] = b * n + t;
                    textIds[t] = ids[t];
                    // An image position reads the next teacher row, placed after the N text rows.
                    source[t] = ids[t] == context ? ids.length + image++ : t;
                }
                NDArray text = table.get(scope.create(textIds)); // (N_b, C)
                text.attach(scope); // indexing leaves the result with the table's manager, which outlives the step
                if (image == 0) {
                    targets.add(text);
                    continue;
                }
                if (s.teacherImageFeatures() == null) {
                    throw new IllegalArgumentException("sample " + s.id() + " has " + image + " image tokens but no "
                            + "teacher features: distillation needs them");
                }
                NDArray teacher = scope.create(s.teacherImageFeatures(), new Shape(image, width));
                targets.add(text.concat(teacher, 0).get(scope.create(source)));
            }
            NDArray predicted = out.reshape(-1, width).get(scope.create(rows)); // (sum N_b, C)
            return Losses.negativeCosineSum(predicted, NDArrays.concat(targets, 0));
        }
    };

    /** The loss summed over the batch's terms (divide by {@link Batch#targets} for the mean). */
    public abstract NDArray lossSum(HoVLEModel model, NDManager scope, Batch batch);
}
