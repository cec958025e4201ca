package dev.hovle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.hovle.model.weights.Bfloat16;
import dev.hovle.model.weights.HostMatrix;
import dev.hovle.model.weights.HostViews;
import dev.hovle.model.weights.TensorDtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class HostGemvTest {

    @Test
    void theVectorApiIsPresentInTheTestJvm() {
        // The build runs tests with --add-modules jdk.incubator.vector: the fast path is what they exercise.
        assertThat(HostGemv.available()).isTrue();
    }

    @Test
    void matchesLibtorchsLinearForEveryRowCountItTakes() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (TensorDtype dtype : new TensorDtype[] {TensorDtype.F32, TensorDtype.BF16}) {
                // Odd shapes: k not a multiple of any vector width (scalar tails), n not a multiple of four columns.
                for (int[] nk : new int[][] {{37, 67}, {5, 16}, {9, 1}, {130, 33}, {6, 2050}}) {
                    Weight w = Weight.random(manager, dtype, nk[0], nk[1]);
                    for (int rows = 1; rows <= HostGemv.MAX_ROWS; rows++) {
                        NDArray x = manager.randomNormal(new Shape(rows, nk[1]));
                        assertClose(HostGemv.multiply(x.toFloatArray(), rows, w.host()),
                                Linear.linear(x, w.values()).singletonOrThrow().toFloatArray(),
                                "%s %dx%d, %d rows", dtype, nk[0], nk[1], rows);
                    }
                }
            }
        }
    }

    @Test
    void givesBitIdenticalResultsOnAnyNumberOfCoresAndInAnyBatch() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (TensorDtype dtype : new TensorDtype[] {TensorDtype.F32, TensorDtype.BF16}) {
                int n = 513; // a lone last column after the blocks of four
                int k = 1030;
                HostMatrix host = Weight.random(manager, dtype, n, k).host();
                float[] x = manager.randomNormal(new Shape(HostGemv.MAX_ROWS, k)).toFloatArray();
                float[] oneCore = HostGemv.multiply(x, HostGemv.MAX_ROWS, host, 1);
                for (int threads : new int[] {2, 3, 8}) {
                    assertThat(HostGemv.multiply(x, HostGemv.MAX_ROWS, host, threads)).as("%s, %d cores", dtype, threads)
                            .containsExactly(oneCore);
                }
                for (int rows : new int[] {1, 2, 3, 5, 7}) { // every row alike, in a block of four or left over
                    float[] few = HostGemv.multiply(Arrays.copyOf(x, rows * k), rows, host, 2);
                    assertThat(few).as("%s, %d rows", dtype, rows).containsExactly(Arrays.copyOf(oneCore, rows * n));
                }
            }
        }
    }

    @Test
    void widensBfloat16RowsExactly() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Weight w = Weight.random(manager, TensorDtype.BF16, 11, 13); // 13: no whole vector per row
            ByteBuffer out = ByteBuffer.allocateDirect(5 * 13 * 4).order(ByteOrder.LITTLE_ENDIAN);
            HostGemv.widenRows(w.host(), 3, 5, out);
            float[] expected = Arrays.copyOfRange(w.values().toFloatArray(), 3 * 13, 8 * 13);
            float[] actual = new float[5 * 13];
            out.asFloatBuffer().get(actual);
            assertThat(actual).containsExactly(expected);
        }
    }

    @Test
    void opsUsesItForWeightsWithHostViewsAndLibtorchOtherwise() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Weight w = Weight.random(manager, TensorDtype.F32, 16, 24);
            NDArray mapped = w.values().duplicate();
            HostViews views = new HostViews();
            views.add(mapped, w.host());
            NDArray x = manager.randomNormal(new Shape(3, 1, 24));
            assertThat(Ops.linear(x, mapped, views).getShape()).isEqualTo(new Shape(3, 1, 16));
            assertThat(views.of(w.values())).as("a weight the views do not hold goes through libtorch").isNull();
            assertClose(Ops.linear(x, mapped, views).toFloatArray(), Ops.linear(x, w.values(), views).toFloatArray(),
                    "f32 view");
        }
    }

    @Test
    void servesABfloat16WeightWithoutAFloat32CopyForDecodeAndPrefill() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // More than one widened block: prefill multiplies it in pieces and joins them.
            int n = WidenedLinear.BLOCK_FLOATS / 2048 + 5;
            Weight w = Weight.random(manager, TensorDtype.BF16, n, 2048);
            NDArray standIn = manager.create(Float.NaN).reshape(1, 1).broadcast(new Shape(n, 2048));
            HostViews views = new HostViews();
            views.add(standIn, w.host());
            for (int rows : new int[] {1, 8, HostGemv.MAX_ROWS + 1}) {
                NDArray x = manager.randomNormal(new Shape(1, rows, 2048));
                NDArray y = Ops.linear(x, standIn, views);
                assertThat(y.getShape()).isEqualTo(new Shape(1, rows, n));
                assertClose(y.toFloatArray(), Linear.linear(x, w.values()).singletonOrThrow().toFloatArray(),
                        "%d rows", rows);
            }
        }
    }

    @Test
    void readsTableRowsFromABfloat16MappingAndRefusesIdsOutsideIt() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Weight table = Weight.random(manager, TensorDtype.BF16, 40, 24);
            NDArray standIn = manager.create(Float.NaN).reshape(1, 1).broadcast(new Shape(40, 24));
            HostViews views = new HostViews();
            views.add(standIn, table.host());
            NDArray rows = Ops.tableRows(manager, standIn, new int[] {39, 0, 7}, views);
            float[] all = table.values().toFloatArray();
            float[] expected = new float[3 * 24];
            System.arraycopy(all, 39 * 24, expected, 0, 24);
            System.arraycopy(all, 0, expected, 24, 24);
            System.arraycopy(all, 7 * 24, expected, 48, 24);
            assertThat(rows.toFloatArray()).containsExactly(expected);
            assertThatThrownBy(() -> Ops.tableRows(manager, standIn, new int[] {40}, views))
                    .hasMessageContaining("token id 40 is outside the vocabulary of 40");
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what, Object... args) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + ", element " + i, args)
                    .isCloseTo(expected[i], Offset.offset(1e-4f * (1 + Math.abs(expected[i]))));
        }
    }

    /** A random matrix as the kernels see it (host bytes) and as libtorch does (its float32 values). */
    private record Weight(HostMatrix host, NDArray values) {
        static Weight random(NDManager manager, TensorDtype dtype, int n, int k) {
            float[] values = manager.randomNormal(new Shape(n, k)).toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocateDirect(n * k * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                if (dtype == TensorDtype.BF16) {
                    short bits = Bfloat16.fromFloat(values[i]);
                    bytes.putShort(bits);
                    values[i] = Bfloat16.toFloat(bits);
                } else {
                    bytes.putFloat(values[i]);
                }
            }
            return new Weight(new HostMatrix(bytes.flip(), dtype, n, k), manager.create(values, new Shape(n, k)));
        }
    }
}
