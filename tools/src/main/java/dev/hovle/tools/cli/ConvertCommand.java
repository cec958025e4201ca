package dev.hovle.tools.cli;

import dev.hovle.model.snapshot.SnapshotConverter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle convert}: an existing snapshot's weights in another dtype, e.g. bf16 to serve at half the memory. */
@Command(name = "convert", description = "Write a copy of a snapshot with its weights in another dtype (bf16 halves "
        + "memory and decode time on the CPU: the kernels read bf16 straight from the file). Tokenizer and other "
        + "files are copied, config.json gets the new torch_dtype.")
final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "snapshot directory to read")
    Path model;

    @Option(names = "--out", required = true, description = "directory to write (must not exist, or be empty)")
    Path out;

    @Option(names = "--dtype", required = true, description = "weight dtype to write: ${COMPLETION-CANDIDATES}")
    DiskDtype dtype;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        SnapshotConverter.Result result = SnapshotConverter.convert(model, out, dtype.tensorDtype());
        System.out.printf(Locale.ROOT, "wrote %s: %d tensors to %s, %d kept as they were; weights %.2f GB -> %.2f GB; "
                + "copied %s; %.1f s%n", out, result.tensorsConverted(), dtype, result.tensorsCopied(),
                result.bytesBefore() / 1e9, result.bytesAfter() / 1e9, String.join(", ", result.filesCopied()),
                (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
