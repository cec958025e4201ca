package dev.hovle.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pillow_prepare.py --serve} as a child process: started once (importing torch takes seconds, which must not
 * be timed), then asked for one timed round at a time, so its rounds can alternate with Java's.
 */
final class PillowProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedReader replies;
    private final Writer requests;
    private final int imageCount;

    private PillowProcess(Process process, int imageCount) {
        this.process = process;
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.requests = process.outputWriter(StandardCharsets.UTF_8);
        this.imageCount = imageCount;
    }

    /**
     * Starts the script on one thread, has it write its tensors to {@code dumpDir} and waits until it is warm.
     *
     * @throws IOException if the interpreter or script cannot start or the script fails before it is ready
     */
    static PillowProcess start(Path python, Path script, List<Path> images, int maxTiles, int tileSize, Path dumpDir)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), "--serve", "--threads", "1",
                "--max-tiles", Integer.toString(maxTiles), "--tile-size", Integer.toString(tileSize),
                "--dump", dumpDir.toString()));
        images.forEach(image -> command.add(image.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        // One core: no OpenMP or BLAS pools beside torch.set_num_threads(1).
        Map<String, String> env = builder.environment();
        for (String variable : List.of("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")) {
            env.put(variable, "1");
        }
        PillowProcess pillow = new PillowProcess(builder.start(), images.size());
        String first = pillow.replies.readLine();
        if (!"ready".equals(first)) {
            pillow.close();
            throw new IOException(python + " " + script + " did not start (said " + first + "); it needs Debian's "
                    + "python3-pil, python3-torchvision and python3-numpy");
        }
        return pillow;
    }

    /** Prepares every image {@code repeats} times and returns the seconds each image took in all. */
    double[] round(int repeats) throws IOException {
        requests.write("round " + repeats + "\n");
        requests.flush();
        String line = replies.readLine();
        JsonNode reply = line == null ? null : JSON.readTree(line);
        if (reply == null || !reply.has("seconds") || reply.get("seconds").size() != imageCount) {
            throw new IOException("the Pillow process ended or answered " + line);
        }
        double[] seconds = new double[imageCount];
        for (int i = 0; i < imageCount; i++) {
            seconds[i] = reply.get("seconds").get(i).asDouble();
        }
        return seconds;
    }

    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                requests.write("quit\n");
                requests.flush();
            }
        } catch (IOException ignored) {
            // It already closed its end; it is stopped below either way.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
