package dev.hovle.tools.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.hovle.model.HoVLEModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** The {@code hovle bench} program: floors first, then each batch size, then the table. */
public final class ModelBench {
    private ModelBench() {}

    public static void run(HoVLEModel model, String title, List<Integer> batches, int promptTokens, int newTokens,
            int prefillThreads, PrintStream out, PrintStream progress) throws IOException {
        progress.println("bench: measuring this machine's floors (memory bandwidth, matmul rate) ...");
        HardwareFloors floors;
        try (NDManager scope = model.newScope()) {
            floors = HardwareFloors.measure(scope, model.dtype());
        }
        // Warm-up: the first forward pays for lazy native initialisation.
        EngineBenchmark.run(model, 1, Math.min(promptTokens, 8), 2, prefillThreads, t -> {});
        List<EngineBenchmark.Row> rows = new ArrayList<>();
        for (int batch : batches) {
            AtomicLong done = new AtomicLong();
            long total = (long) batch * newTokens + (long) batch * (batch + 1) / 2;
            long started = System.nanoTime();
            rows.add(EngineBenchmark.run(model, batch, promptTokens, newTokens, prefillThreads, t -> {
                long d = done.incrementAndGet();
                if (d % Math.max(1, total / 20) == 0 || d == total) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    progress.printf(Locale.ROOT, "\rbench: batch %d: %d/%d tokens, %.1f s", batch, d, total, seconds);
                }
            }));
            progress.println();
        }
        BenchReport.print(out, title, model.config(), weightBytesPerElement(model), promptTokens, floors, rows,
                peakResidentBytes());
    }

    /** Bytes per element of the weights a decode step reads: 2 where they are served as bf16 or computed in fp16. */
    public static int weightBytesPerElement(HoVLEModel model) {
        boolean bf16 = model.weights().hostViews().bf16Count() > 0;
        return bf16 || model.dtype() == DataType.FLOAT16 ? 2 : 4;
    }

    /** VmHWM of this process (Linux), or -1 elsewhere. */
    static long peakResidentBytes() throws IOException {
        return procStatus("VmHWM:");
    }

    /** VmRSS of this process (Linux), or -1 elsewhere. */
    static long residentBytes() throws IOException {
        return procStatus("VmRSS:");
    }

    private static long procStatus(String key) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
