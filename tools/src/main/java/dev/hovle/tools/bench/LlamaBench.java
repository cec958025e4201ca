package dev.hovle.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's {@code llama-bench}, run as a child process for decode speed only ({@code -p 0}): one timed run of
 * {@code tokens} generated tokens after its own one-token warm-up, read back from its JSON output.
 *
 * @param binary the executable, a path or a name on PATH
 * @param threads CPU threads ({@code -t})
 */
record LlamaBench(String binary, int threads) {

    /**
     * One run's result.
     *
     * @param tokensPerSecond decode tokens per second ({@code avg_ts})
     * @param cpu the CPU llama-bench reports ({@code cpu_info})
     * @param build llama.cpp's build commit and number
     */
    record Result(double tokensPerSecond, String cpu, String build) {}

    /** Fails now, with the fix in the message, when the binary cannot be found or run. */
    void requireRunnable() throws IOException {
        Path resolved = resolve();
        if (resolved == null || !Files.isExecutable(resolved)) {
            throw new IOException("llama-bench not found or not executable: '" + binary + "' (build llama.cpp's "
                    + "llama-bench target and pass its path with --llama-bench, or put it on PATH)");
        }
    }

    /** Decodes {@code tokens} tokens of {@code gguf} and returns the speed. */
    Result decode(Path gguf, int tokens) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary, "-m", gguf.toString(), "-t", Integer.toString(threads),
                "-p", "0", "-n", Integer.toString(tokens), "-r", "1", "-o", "json"));
        Path log = Files.createTempFile("llama-bench-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + exit + ": " + tail(log));
            }
            return parse(stdout, String.join(" ", command));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Reads the decode entry of llama-bench's {@code -o json} output: an array of one object per test. */
    static Result parse(String json, String command) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IOException(command + " printed no JSON (" + e.getMessage() + ")");
        }
        for (JsonNode test : root == null ? List.<JsonNode>of() : root) {
            if (test.path("n_gen").asInt() > 0 && test.path("avg_ts").isNumber()) {
                return new Result(test.path("avg_ts").asDouble(), test.path("cpu_info").asText("?"),
                        test.path("build_commit").asText("?") + " (build " + test.path("build_number").asText("?") + ")");
            }
        }
        throw new IOException(command + " printed no decode result (no entry with n_gen > 0 and avg_ts)");
    }

    private Path resolve() {
        if (binary.contains("/")) {
            return Path.of(binary);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
