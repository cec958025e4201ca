package dev.hovle.tools.local;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.model.config.PixelShuffleLocation;
import dev.hovle.model.snapshot.ModelSize;
import dev.hovle.model.snapshot.SnapshotInitializer;
import dev.hovle.model.weights.TensorDtype;
import dev.hovle.pipeline.inference.InferenceJob;
import dev.hovle.pipeline.inference.InferenceKafka;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.pipeline.training.ShapesStream;
import dev.hovle.pipeline.training.TrainingJob;
import dev.hovle.pipeline.training.TrainingOptions;
import dev.hovle.testkit.EmbeddedKafka;
import dev.hovle.testkit.LocalMetrics;
import dev.hovle.web.Topics;
import dev.hovle.web.WebServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole system on one machine: a real Kafka broker in this JVM (or an existing cluster), the topics, the
 * inference job and the training job on local MiniClusters, a synthetic stream of {@code shapes} training samples
 * and of pictures with questions, and a printout of every caption, answer and model update as it is committed, with
 * a periodic status line. Without training, the stream is drawn scenes and sample files.
 *
 * <pre>{@code
 * LocalRuntime runtime = LocalRuntime.builder().setOut(System.out).optDuration(Duration.ofMinutes(1)).build();
 * runtime.run();   // blocks; runtime.stop() from another thread ends it early
 * }</pre>
 */
public final class LocalRuntime {
    private static final Duration STATUS_EVERY = Duration.ofSeconds(5);
    /** Training samples per second on the local {@code shapes} stream by default. */
    public static final int DEFAULT_TRAINING_RATE = 96;

    private final Builder b;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private LocalRuntime(Builder b) {
        this.b = b;
    }

    /** A builder; the output stream is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs until {@link #stop()} is called or the duration has passed, then shuts everything down in order. */
    public void run() throws Exception {
        PrintStream out = b.out;
        EmbeddedKafka kafka = null;
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(3);
        JobClient job = null;
        JobClient training = null;
        ResultPrinter printer = null;
        Thread printing = null;
        WebServer web = null;
        try {
            Path model = modelDir(out);
            String servers = b.bootstrapServers;
            if (servers == null) {
                kafka = EmbeddedKafka.start(Files.createTempDirectory("hovle-kafka"));
                servers = kafka.bootstrapServers();
                Path file = b.workDir.resolve("local").resolve("bootstrap-servers");
                Files.createDirectories(file.getParent());
                Files.writeString(file, servers + "\n");
                out.println("kafka: in-process KRaft broker at " + servers + " (written to " + file + ")");
            } else {
                out.println("kafka: attached to " + servers);
            }
            Configuration conf = configuration(servers, model);
            EmbeddedKafka.createTopics(servers, List.of(conf.get(InferenceOptions.IMAGES_TOPIC),
                    conf.get(InferenceOptions.REQUESTS_TOPIC), conf.get(InferenceOptions.RESULTS_TOPIC),
                    conf.get(InferenceOptions.DEAD_LETTERS_TOPIC)), 2, (short) 1);
            // Updates of a model line share one partition; one is all the topic needs.
            EmbeddedKafka.createTopics(servers, List.of(conf.get(InferenceOptions.MODEL_UPDATES_TOPIC)), 1, (short) 1);

            if (b.webPort != null) {
                web = startWeb(servers, conf, kafka != null);
                out.println("web: " + web.url());
            }

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(b.parallelism);
            InferenceJob.builder().applyOptions(conf)
                    .setImageSource(InferenceKafka.imageSource(conf)).setRequestSource(InferenceKafka.requestSource(conf))
                    .setResultSink(InferenceKafka.resultSink(conf)).setDeadLetterSink(InferenceKafka.deadLetterSink(conf))
                    .optModelUpdateSource(InferenceKafka.modelUpdateSource(conf))
                    .build().addTo(env);
            job = env.executeAsync("hovle-inference (local)");
            out.println("flink: inference job " + job.getJobID() + " on a local MiniCluster, model " + model
                    + "; results are committed every " + conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis()
                    + " ms (read_committed)");

            EventProducer producer = EventProducer.connect(servers);
            String images = conf.get(InferenceOptions.IMAGES_TOPIC);
            String requests = conf.get(InferenceOptions.REQUESTS_TOPIC);
            int tileSize = HoVLEConfig.read(model).imageSize();
            SyntheticStream stream = new SyntheticStream(producer, images, requests, b.samplesDir);
            ShapesQuestions shapes = b.training ? new ShapesQuestions(producer, images, requests, tileSize) : null;
            TrainingFeed feed = null;
            if (b.training) {
                EmbeddedKafka.createTopics(servers, List.of(conf.get(TrainingOptions.SAMPLES_TOPIC)), 1, (short) 1);
                training = startTraining(conf);
                feed = new TrainingFeed(producer, conf.get(TrainingOptions.SAMPLES_TOPIC),
                        ShapesStream.forJob(conf, tileSize), conf.get(TrainingOptions.EVAL_SAMPLES), b.trainingRate);
                out.println("flink: training job " + training.getJobID() + " (" + conf.get(TrainingOptions.STAGE)
                        + " on a shapes sample stream from the untrained model; a version every "
                        + conf.get(TrainingOptions.VERSION_INTERVAL) + " steps, stored in "
                        + conf.get(InferenceOptions.STORE_URI) + ", served when the gate promotes it)");
            }
            printer = new ResultPrinter(servers, conf.get(InferenceOptions.RESULTS_TOPIC),
                    conf.get(InferenceOptions.DEAD_LETTERS_TOPIC),
                    b.training ? conf.get(InferenceOptions.MODEL_UPDATES_TOPIC) : null, kafka != null, out,
                    result -> {
                        String judged = shapes == null ? null : shapes.judge(result);
                        return judged != null ? judged : stream.questionOf(result.getRequestId());
                    });
            printing = new Thread(printer, "hovle-printer");
            printing.start();
            HostileFeed hostile = b.hostileEvery == null ? null : new HostileFeed(producer, images, requests);
            StatusLine status = new StatusLine(printer, shapes, hostile);
            if (b.training) {
                out.printf("stream: %.1f shapes pictures/s with a question each (the answer is judged against the "
                        + "truth), %d training samples/s; Ctrl-C stops%n", b.rate, b.trainingRate);
                timers.scheduleAtFixedRate(shapes, 0, Math.round(1_000_000 / b.rate), TimeUnit.MICROSECONDS);
                timers.scheduleAtFixedRate(feed, 0, 1, TimeUnit.SECONDS);
            } else {
                out.printf("stream: %.1f images/s with a question each, an inline caption every 4th, a broken image "
                        + "every 20th (Ctrl-C stops)%n", b.rate);
                timers.scheduleAtFixedRate(stream, 0, Math.round(1_000_000 / b.rate), TimeUnit.MICROSECONDS);
            }
            if (hostile != null) {
                out.println("stream: one hostile record every " + b.hostileEvery.toMillis() + " ms (each must "
                        + "become a dead letter)");
                timers.scheduleAtFixedRate(hostile, b.hostileEvery.toMillis(), b.hostileEvery.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            timers.scheduleAtFixedRate(() -> out.println(status.next()), STATUS_EVERY.toMillis(),
                    STATUS_EVERY.toMillis(), TimeUnit.MILLISECONDS);

            if (b.duration == null) {
                stopRequested.await();
            } else {
                stopRequested.await(b.duration.toMillis(), TimeUnit.MILLISECONDS);
            }
            timers.shutdownNow();
            producer.close();
            out.println(status.next());
            out.println("stopping: " + (feed != null ? feed.trainSent() + " training samples and shapes questions"
                    : stream.sent() + " events") + " sent");
        } finally {
            timers.shutdownNow();
            if (training != null) {
                cancel(training, out);
            }
            if (job != null) {
                cancel(job, out);
            }
            if (printer != null) {
                printer.close();
                printing.join(10_000);
            }
            if (web != null) {
                web.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            stopped.countDown();
        }
    }

    /** Asks a running {@link #run()} to stop. */
    public void stop() {
        stopRequested.countDown();
    }

    /** Waits until {@link #run()} has shut everything down; false when the timeout passed first. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void cancel(JobClient job, PrintStream out) {
        try {
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            out.println("flink: the job did not cancel cleanly: " + e.getMessage());
        }
    }

    private Path modelDir(PrintStream out) throws IOException {
        if (b.modelDir != null) {
            return b.modelDir.toAbsolutePath();
        }
        Path dir = b.workDir.resolve("models").resolve("tiny").toAbsolutePath();
        if (!Files.exists(dir.resolve("config.json"))) {
            out.println("model: creating a tiny random HoVLE snapshot in " + dir + " (no download)");
            SnapshotInitializer.create(dir, ModelSize.TINY, TensorDtype.F32, PixelShuffleLocation.PRE, 0);
        }
        return dir;
    }

    /** The live page on the topics of this run, with the MiniClusters' gauges; loopback only. */
    private WebServer startWeb(String servers, Configuration conf, boolean fromBeginning) throws IOException {
        try {
            return WebServer.builder().setBootstrapServers(servers).optPort(b.webPort).optGauges(new LocalGauges())
                    .optFromBeginning(fromBeginning).optGroupId(conf.get(InferenceOptions.GROUP_ID))
                    .optTopics(new Topics(conf.get(InferenceOptions.IMAGES_TOPIC),
                            conf.get(InferenceOptions.REQUESTS_TOPIC), conf.get(InferenceOptions.RESULTS_TOPIC),
                            conf.get(InferenceOptions.MODEL_UPDATES_TOPIC), conf.get(InferenceOptions.DEAD_LETTERS_TOPIC)))
                    .build().start();
        } catch (BindException e) {
            throw new IOException("the web page's port " + b.webPort + " is taken: choose another with --web-port, "
                    + "or --no-web", e);
        }
    }

    /** The training job on its own MiniCluster, fed by the shapes stream, publishing to the updates topic. */
    private static JobClient startTraining(Configuration conf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        TrainingJob.onKafka(conf).build().addTo(env);
        return env.executeAsync("hovle-training (local)");
    }

    private Configuration configuration(String servers, Path model) {
        Configuration conf = new Configuration();
        conf.set(InferenceOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(InferenceOptions.MODEL_DIR, model.toString());
        conf.set(InferenceOptions.MAX_NEW_TOKENS, 24);
        conf.set(InferenceOptions.IMAGE_WAIT, Duration.ofSeconds(10));
        // Results reach read_committed readers at each checkpoint: the interval is the floor of the latency.
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        // Files, not the JobManager's memory: that refuses state over 5 MB, which the image join's retained images
        // pass within minutes, and every checkpoint after would fail the job again.
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                b.workDir.resolve("local").resolve("checkpoints").toAbsolutePath().toUri().toString());
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(InferenceOptions.STORE_URI, b.workDir.resolve("local").resolve("store").toAbsolutePath().toString());
        conf.set(TrainingOptions.VERSION_INTERVAL, 25);
        conf.set(TrainingOptions.EVAL_SAMPLES, 48);
        // 48 questions measure accuracy in steps of 2%; early on a lucky guess must not block every later version.
        conf.set(TrainingOptions.GATE_MAX_ACCURACY_DROP, 0.1);
        LocalMetrics.configure(conf);
        conf.addAll(Configuration.fromMap(b.options));
        return conf;
    }

    /** Builds a {@link LocalRuntime}. */
    public static final class Builder {
        private PrintStream out;
        private Path modelDir;
        private String bootstrapServers;
        private double rate = 1;
        private int trainingRate = DEFAULT_TRAINING_RATE;
        private Duration duration;
        private int parallelism = 1;
        private Path workDir = Path.of("work");
        private Path samplesDir = Path.of("samples");
        private Map<String, String> options = Map.of();
        private boolean training = true;
        private Duration hostileEvery;
        private Integer webPort;

        private Builder() {}

        /** Serve the live web page on this loopback port (0: any free one; default: no page). */
        public Builder optWebPort(Integer value) {
            this.webPort = value;
            return this;
        }

        /** Also send one hostile record this often (default: none), as {@link HostileFeed} describes. */
        public Builder optHostileEvery(Duration value) {
            this.hostileEvery = value;
            return this;
        }

        /**
         * Whether the training job runs too (default true): it trains the served model on a shapes sample stream,
         * and the inference stream asks questions about shapes pictures, judged against the truth.
         */
        public Builder optTraining(boolean value) {
            this.training = value;
            return this;
        }

        /** Where captions, answers and status lines go (required). */
        public Builder setOut(PrintStream value) {
            this.out = value;
            return this;
        }

        /** The snapshot to serve (default: a tiny random model created under the work directory). */
        public Builder optModelDir(Path value) {
            this.modelDir = value;
            return this;
        }

        /** An existing Kafka cluster instead of the in-process broker. */
        public Builder optBootstrapServers(String value) {
            this.bootstrapServers = value;
            return this;
        }

        /**
         * Training samples sent per second (default {@value #DEFAULT_TRAINING_RATE}): about what the trainer takes
         * on two cores beside the inference job, so it is neither starved nor left an ever-growing backlog.
         */
        public Builder optTrainingRate(int value) {
            this.trainingRate = value;
            return this;
        }

        /** Images per second of the synthetic stream (default 1); each comes with a question. */
        public Builder optRate(double value) {
            this.rate = value;
            return this;
        }

        /** Stop after this long (default: run until {@link LocalRuntime#stop()}). */
        public Builder optDuration(Duration value) {
            this.duration = value;
            return this;
        }

        /** The job's parallelism (default 1: the engine is shared anyway, and small machines need the cores). */
        public Builder optParallelism(int value) {
            this.parallelism = value;
            return this;
        }

        /** Where the tiny model and the broker address file go (default {@code work}). */
        public Builder optWorkDir(Path value) {
            this.workDir = value;
            return this;
        }

        /** Image files sent first (default {@code samples}; skipped when absent). */
        public Builder optSamplesDir(Path value) {
            this.samplesDir = value;
            return this;
        }

        /** Any {@link InferenceOptions} or Flink option, overriding the local defaults. */
        public Builder optOptions(Map<String, String> value) {
            this.options = Map.copyOf(value);
            return this;
        }

        public LocalRuntime build() {
            if (out == null) {
                throw new IllegalStateException("LocalRuntime needs setOut(PrintStream), e.g. System.out");
            }
            if (!(rate > 0) || parallelism < 1 || trainingRate < 1) {
                throw new IllegalArgumentException("rate, training rate and parallelism must be positive: " + rate
                        + ", " + trainingRate + ", " + parallelism);
            }
            return new LocalRuntime(this);
        }
    }
}
