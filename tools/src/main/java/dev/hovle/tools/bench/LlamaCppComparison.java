package dev.hovle.tools.bench;

import dev.hovle.model.HoVLEModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code hovle bench --compare-llamacpp}: batch-1 decode of a loaded HoVLE model against llama.cpp's llama-bench on
 * a GGUF, compared as effective bandwidth (bytes of weights read per token / time per token), so that models of
 * different sizes and dtypes compare fairly. The two alternate A/B/A/B on the same threads, because shared
 * machines drift by tens of percent within minutes and only interleaved runs see the same drift.
 */
public final class LlamaCppComparison {
    /** Decoded tokens per round on both sides, as {@code llama-bench -n}. */
    static final int DECODE_TOKENS = 16;
    /** HoVLE's prompt: short, so attention over the cache stays as negligible as in llama-bench's empty context. */
    static final int PROMPT_TOKENS = 16;

    private final Path gguf;
    private final long ggufStepBytes;
    private final String ggufTypes;
    private final LlamaBench llamaBench;
    private final int rounds;

    private LlamaCppComparison(Path gguf, GgufFile header, LlamaBench llamaBench, int rounds) throws GgufException {
        this.gguf = gguf;
        this.ggufStepBytes = header.decodeStepBytes();
        this.ggufTypes = header.typeSummary();
        this.llamaBench = llamaBench;
        this.rounds = rounds;
    }

    /** Checks the GGUF and the binary before any model loads; a bad file or a missing binary fails here. */
    public static LlamaCppComparison prepare(Path gguf, String llamaBenchBinary, int threads, int rounds)
            throws IOException {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, not " + rounds);
        }
        LlamaCppComparison comparison = new LlamaCppComparison(gguf, GgufFile.read(gguf),
                new LlamaBench(llamaBenchBinary, threads), rounds);
        comparison.llamaBench.requireRunnable();
        return comparison;
    }

    /** Runs the rounds and prints the table; {@code modelLabel} names the model in it. */
    public void run(HoVLEModel model, String modelLabel, int prefillThreads, PrintStream out, PrintStream progress)
            throws IOException, InterruptedException {
        long hovleStepBytes = DecodeStepBytes.of(model);
        progress.println("compare: warming up HoVLE (the first forward pays for native initialisation) ...");
        EngineBenchmark.run(model, 1, 8, 2, prefillThreads, t -> {});
        List<Round> done = new ArrayList<>();
        LlamaBench.Result llama = null;
        for (int r = 1; r <= rounds; r++) {
            progress.printf(Locale.ROOT, "compare: round %d/%d: llama-bench ...%n", r, rounds);
            llama = llamaBench.decode(gguf, DECODE_TOKENS);
            progress.printf(Locale.ROOT, "compare: round %d/%d: HoVLE ...%n", r, rounds);
            double hovleMs = EngineBenchmark.run(model, 1, PROMPT_TOKENS, DECODE_TOKENS, prefillThreads, t -> {})
                    .decodeMsPerStep();
            done.add(new Round(r, llama.tokensPerSecond(), hovleMs));
        }
        out.printf(Locale.ROOT, "llama.cpp: %s (%s), %.3f GB read per token; llama-bench %s; %s%n", gguf, ggufTypes,
                ggufStepBytes / 1e9, llama.build(), llama.cpu());
        out.printf(Locale.ROOT, "HoVLE: %s, compute %s, %.3f GB read per batch-1 step (weights as held); "
                + "%d thread(s) on both sides%n", modelLabel, model.dtype(), hovleStepBytes / 1e9, llamaBench.threads());
        new ComparisonTable(ggufStepBytes, hovleStepBytes).print(out, done);
    }

    /**
     * One alternation: llama-bench, then HoVLE.
     *
     * @param round 1-based
     * @param llamaTokensPerSecond llama-bench's decode rate
     * @param hovleMsPerStep HoVLE's mean batch-1 decode step
     */
    record Round(int round, double llamaTokensPerSecond, double hovleMsPerStep) {}
}
