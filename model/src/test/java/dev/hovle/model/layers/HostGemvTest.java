package dev.hovle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.hovle.model.weights.HostViews;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
            int n = 37;
            int k = 67; // not a multiple of any vector width: exercises the scalar tail
            NDArray w = manager.randomNormal(new Shape(n, k));
            ByteBuffer host = ByteBuffer.allocateDirect(n * k * 4).order(ByteOrder.LITTLE_ENDIAN);
            host.asFloatBuffer().put(w.toFloatArray());
            for (int rows = 1; rows <= HostGemv.MAX_ROWS; rows++) {
                NDArray x = manager.randomNormal(new Shape(rows, k));
                float[] expected = Linear.linear(x, w).singletonOrThrow().toFloatArray();
                float[] actual = HostGemv.multiply(x.toFloatArray(), rows, host, n, k);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("rows %d, element %d", rows, i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }

    @Test
    void givesBitIdenticalResultsOnAnyNumberOfCoresAndInAnyBatch() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int n = 513; // odd: a lone last column
            int k = 1030;
            ByteBuffer host = ByteBuffer.allocateDirect(n * k * 4).order(ByteOrder.LITTLE_ENDIAN);
            host.asFloatBuffer().put(manager.randomNormal(new Shape(n, k)).toFloatArray());
            float[] x = manager.randomNormal(new Shape(HostGemv.MAX_ROWS, k)).toFloatArray();
            float[] oneCore = HostGemv.multiply(x, HostGemv.MAX_ROWS, host, n, k, 1);
            for (int threads : new int[] {2, 3, 8}) {
                assertThat(HostGemv.multiply(x, HostGemv.MAX_ROWS, host, n, k, threads)).as("%d cores", threads)
                        .containsExactly(oneCore);
            }
            for (int rows : new int[] {2, 3, 5, 7}) { // every row alike, whether in a block of four or left over
                float[] few = HostGemv.multiply(java.util.Arrays.copyOf(x, rows * k), rows, host, n, k, 2);
                assertThat(few).as("%d rows", rows).containsExactly(java.util.Arrays.copyOf(oneCore, rows * n));
            }
        }
    }

    @Test
    void opsUsesItForWeightsWithHostViewsAndLibtorchOtherwise() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.randomNormal(new Shape(16, 24));
            NDArray plain = w.duplicate();
            ByteBuffer host = ByteBuffer.allocateDirect(16 * 24 * 4).order(ByteOrder.LITTLE_ENDIAN);
            host.asFloatBuffer().put(w.toFloatArray());
            HostViews views = new HostViews();
            views.add(w, host);
            NDArray x = manager.randomNormal(new Shape(3, 1, 24));
            float[] viaKernel = Ops.linear(x, w, views).toFloatArray();
            float[] viaTorch = Ops.linear(x, plain, views).toFloatArray();
            assertThat(Ops.linear(x, w, views).getShape()).isEqualTo(new Shape(3, 1, 16));
            assertThat(views.of(plain)).as("a weight the views do not hold goes through libtorch").isNull();
            for (int i = 0; i < viaTorch.length; i++) {
                assertThat(viaKernel[i]).isCloseTo(viaTorch[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }
}
