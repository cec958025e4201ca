package dev.hovle.pipeline.inference;

import dev.hovle.operators.serving.EngineSpec;
import dev.hovle.pipeline.kafka.EventProducer;
import dev.hovle.schemas.Topic;
import dev.hovle.testkit.EmbeddedKafka;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;

/**
 * The in-process broker with every topic (two partitions each), the inference job on the test's MiniCluster (two
 * slots) reading and writing it, and a client at each end: what an ITCase whose tests share one job starts once.
 */
final class JobUnderTest implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final Configuration options;
    private final UnaryOperator<EngineSpec> engine;
    private final JobOutputs outputs;
    private final EventProducer producer;
    private RunningJob job;

    private JobUnderTest(EmbeddedKafka kafka, Configuration options, UnaryOperator<EngineSpec> engine, RunningJob job) {
        this.kafka = kafka;
        this.options = options;
        this.engine = engine;
        this.job = job;
        this.outputs = new JobOutputs(kafka.bootstrapServers());
        this.producer = EventProducer.connect(kafka.bootstrapServers());
    }

    /**
     * Starts the broker, then the job with {@code options} and the broker's address; {@code engine} as in {@link
     * RunningJob#start}. Unless the options say otherwise, the engine batches 4 sequences within 64 positions, which
     * is plenty for tiny models.
     */
    static JobUnderTest start(Configuration options, UnaryOperator<EngineSpec> engine) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        kafka.createTopics(Arrays.stream(Topic.values()).map(Topic::defaultName).toList(), 2);
        Configuration withKafka = new Configuration(options);
        withKafka.set(InferenceOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        if (!options.contains(InferenceOptions.MAX_BATCH)) {
            withKafka.set(InferenceOptions.MAX_BATCH, 4);
        }
        if (!options.contains(InferenceOptions.TOKEN_BUDGET)) {
            withKafka.set(InferenceOptions.TOKEN_BUDGET, 64);
        }
        return new JobUnderTest(kafka, withKafka, engine, RunningJob.start(withKafka, 2, engine));
    }

    EmbeddedKafka kafka() {
        return kafka;
    }

    RunningJob job() {
        return job;
    }

    JobOutputs outputs() {
        return outputs;
    }

    EventProducer producer() {
        return producer;
    }

    /** Cancels the job and submits it again: the new one restores nothing, as a fresh deployment would. */
    void resubmit() throws Exception {
        job.close();
        job = RunningJob.start(options, 2, engine);
    }

    @Override
    public void close() throws Exception {
        producer.close();
        outputs.close();
        job.close();
        kafka.close();
    }
}
