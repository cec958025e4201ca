package dev.hovle.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The limits this machine sets, measured with the same engine and threads the model runs on: memory bandwidth
 * (streaming a large array, what a decode step does with the weights) and the dense matmul rate (what prefill is).
 *
 * @param bandwidthBytesPerSecond best observed read bandwidth
 * @param matmulFlopsPerSecond best observed dense matmul rate in the compute dtype
 */
public record HardwareFloors(double bandwidthBytesPerSecond, double matmulFlopsPerSecond) {

    /** Measures both on {@code manager}'s device in {@code dtype}; takes a few seconds. */
    public static HardwareFloors measure(NDManager manager, DataType dtype) {
        return new HardwareFloors(bandwidth(manager, dtype), matmulRate(manager, dtype));
    }

    private static double bandwidth(NDManager manager, DataType dtype) {
        long elements = (1L << 30) / (dtype == DataType.FLOAT16 ? 2 : 4); // 1 GiB: far beyond any cache
        double best = 0;
        try (NDManager scope = manager.newSubManager()) {
            NDArray big = scope.ones(new Shape(elements), dtype);
            for (int i = 0; i < 6; i++) {
                try (NDManager step = scope.newSubManager()) {
                    long start = System.nanoTime();
                    NDArray sum = big.sum();
                    sum.toFloatArray(); // waits for the device
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.max(best, (1L << 30) / seconds);
                    sum.close();
                }
            }
        }
        return best;
    }

    private static double matmulRate(NDManager manager, DataType dtype) {
        int n = 2048;
        double best = 0;
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomNormal(new Shape(n, n)).toType(dtype, false);
            NDArray b = scope.randomNormal(new Shape(n, n)).toType(dtype, false);
            for (int i = 0; i < 4; i++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = a.duplicate();
                    x.attach(step);
                    long start = System.nanoTime();
                    NDArray c = x.matMul(b);
                    c.get(0, 0).toType(DataType.FLOAT32, false).toFloatArray();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.max(best, 2.0 * n * n * n / seconds);
                }
            }
        }
        return best;
    }
}
