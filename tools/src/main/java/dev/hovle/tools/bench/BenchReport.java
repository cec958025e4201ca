package dev.hovle.tools.bench;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.weights.WeightLoader;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The bench table: measured speed beside the floors this machine allows, and the ratio of one to the other. */
final class BenchReport {
    private BenchReport() {}

    /** Bytes of weights one decode step of {@code batch} sequences must read: every layer, the head, B table rows. */
    static double decodeWeightBytes(HoVLEConfig config, int batch, int bytesPerElement) {
        long elements = 0;
        for (WeightLoader.TensorSpec t : WeightLoader.layout(config)) {
            if (readByEveryDecodeStep(t.name())) {
                elements += t.elementCount();
            }
        }
        elements += (long) batch * config.llm().transformer().hiddenSize(); // the new tokens' table rows
        return (double) elements * bytesPerElement;
    }

    /** Whether every decode step reads this tensor in full: each layer of both stacks, the final norm, the head. */
    static boolean readByEveryDecodeStep(String name) {
        return name.contains(".encoder.") || name.contains(".layers.") || name.endsWith("model.norm.weight")
                || name.equals("language_model.output.weight");
    }

    /** Matmul FLOPs of prefilling one text prompt of {@code n} positions (logits for the last position only). */
    static double prefillFlops(HoVLEConfig config, int n) {
        double layerParams = 0;
        for (WeightLoader.TensorSpec t : WeightLoader.layout(config)) {
            String name = t.name();
            if ((name.contains(".encoder.") || name.contains(".layers.")) && t.shape().length == 2) {
                layerParams += t.elementCount();
            }
        }
        int layers = config.embedding().transformer().numLayers() + config.llm().transformer().numLayers();
        double attention = 2.0 * n * n * config.llm().transformer().hiddenSize() * layers; // QKᵀ and AV, causal half
        double head = 2.0 * config.llm().vocabSize() * config.llm().transformer().hiddenSize();
        return 2.0 * n * layerParams + attention + head;
    }

    static void print(PrintStream out, String title, HoVLEConfig config, int bytesPerElement, int promptTokens,
            HardwareFloors floors, List<EngineBenchmark.Row> rows, long peakRssBytes) {
        out.println(title);
        out.printf(Locale.ROOT, "floors: memory bandwidth %.1f GB/s, dense matmul %.1f GFLOP/s%n",
                floors.bandwidthBytesPerSecond() / 1e9, floors.matmulFlopsPerSecond() / 1e9);
        double prefillFloorTps = promptTokens / (prefillFlops(config, promptTokens) / floors.matmulFlopsPerSecond());
        out.println("| batch | prefill tok/s | floor | ratio | TTFT ms | decode ms/step | floor ms | ratio | aggregate tok/s |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (EngineBenchmark.Row r : rows) {
            double decodeFloorMs = decodeWeightBytes(config, r.batch(), bytesPerElement)
                    / floors.bandwidthBytesPerSecond() * 1000;
            out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f | %.2f | %.1f |%n", r.batch(),
                    r.prefillTokensPerSecond(), prefillFloorTps, prefillFloorTps / r.prefillTokensPerSecond(),
                    r.ttftMillis(), r.decodeMsPerStep(), decodeFloorMs, r.decodeMsPerStep() / decodeFloorMs,
                    r.aggregateTokensPerSecond());
        }
        out.printf(Locale.ROOT, "peak resident memory: %.2f GiB%n", peakRssBytes / (double) (1L << 30));
        out.println("ratio = measured time / floor time (1.00 = at the floor; prefill ratio = floor tok/s / measured).");
    }
}
