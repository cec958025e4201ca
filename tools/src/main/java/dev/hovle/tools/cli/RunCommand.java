package dev.hovle.tools.cli;

import dev.hovle.tools.local.LocalRuntime;
import dev.hovle.web.WebServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hovle run}: the streaming system on this machine, printing captions and answers as they are committed. */
@Command(name = "run", description = {"Run HoVLE Stream locally: an in-process Kafka broker (or --bootstrap-servers), "
        + "the inference job and the training job on local Flink MiniClusters, a shapes training stream and "
        + "questions about shapes pictures; prints each caption, answer (judged) and model version as it is "
        + "committed, and a status line every 5 s; the same, live, on a web page (http://localhost:8077/). Ctrl-C stops it "
        + "cleanly."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--model", description = "snapshot directory to serve (default: a tiny random model created "
            + "under work/models/tiny, no download)")
    Path model;

    @Option(names = "--bootstrap-servers", description = "attach to this Kafka cluster instead of starting a broker")
    String bootstrapServers;

    @Option(names = "--rate", defaultValue = "1", description = "images per second, each with a question "
            + "(default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--training-rate", defaultValue = "" + LocalRuntime.DEFAULT_TRAINING_RATE, description = "training "
            + "samples per second on the shapes stream (default ${DEFAULT-VALUE})")
    int trainingRate;

    @Option(names = "--duration", description = "stop after this long, e.g. 60s or 5m (default: until Ctrl-C)")
    String duration;

    @Option(names = "--parallelism", defaultValue = "1", description = "Flink parallelism (default ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--samples", defaultValue = "samples", description = "image files sent first "
            + "(default ${DEFAULT-VALUE})")
    Path samples;

    @Option(names = "--no-training", description = "serve only: no training job, drawn scenes and sample files "
            + "instead of the shapes stream")
    boolean noTraining;

    @Option(names = "--hostile-every", description = "also send one hostile record (random bytes, an image bomb, "
            + "a forbidden URI, absurd settings...) this often, e.g. 5s: each must become a dead letter while serving "
            + "goes on")
    String hostileEvery;

    @Option(names = "--web-port", defaultValue = "" + WebServer.DEFAULT_PORT, description = "port of the live web "
            + "page on localhost (default ${DEFAULT-VALUE}; 0: any free port)")
    int webPort;

    @Option(names = "--no-web", description = "no web page")
    boolean noWeb;

    @Option(names = "-D", mapFallbackValue = "", description = "any job option, e.g. -Dhovle.engine.max-batch=4 "
            + "(see deploy/configuration.md)")
    Map<String, String> options = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        LocalRuntime.Builder builder = LocalRuntime.builder().setOut(System.out).optModelDir(model)
                .optBootstrapServers(bootstrapServers).optRate(rate).optParallelism(parallelism).optSamplesDir(samples)
                .optOptions(options).optTraining(!noTraining).optTrainingRate(trainingRate)
                .optWebPort(noWeb ? null : webPort);
        if (duration != null) {
            builder.optDuration(parseDuration(duration));
        }
        if (hostileEvery != null) {
            builder.optHostileEvery(parseDuration(hostileEvery));
        }
        LocalRuntime runtime = builder.build();
        Thread hook = new Thread(() -> {
            runtime.stop();
            try {
                runtime.awaitStopped(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hovle-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        runtime.run();
        return 0;
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, or an ISO-8601 duration such as {@code PT90S}. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("pt")) {
            return Duration.parse(t);
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("duration '" + text + "': use e.g. 90s, 5m or 1h");
        };
    }
}
