package dev.hovle.pipeline.job;

import java.time.Duration;
import java.util.function.Function;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/** How a job's {@code main} reads its settings on a cluster: the cluster's configuration, then its arguments. */
public final class JobConfiguration {
    private JobConfiguration() {}

    /**
     * The cluster's configuration of {@code env} overlaid with {@code --key value} arguments, checkpointing at the
     * interval {@code defaultCheckpointInterval} picks from them unless Flink's own key is set, and generic (Kryo)
     * types refused; applied to {@code env}.
     *
     * @throws IllegalArgumentException when no checkpoint directory is configured ({@link #requireDurableCheckpoints})
     */
    public static Configuration apply(StreamExecutionEnvironment env, String[] args,
            Function<ReadableConfig, Duration> defaultCheckpointInterval) {
        Configuration conf = new Configuration();
        conf.addAll(Configuration.fromMap(env.getConfiguration().toMap()));
        conf.addAll(ParameterTool.fromArgs(args).getConfiguration());
        requireDurableCheckpoints(conf);
        if (conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, defaultCheckpointInterval.apply(conf));
        }
        // Every record is Avro or a POJO: a type that would fall back to Kryo is a bug, caught at submission.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        return conf;
    }

    /**
     * Refuses a job with nowhere durable to checkpoint. Without {@code execution.checkpointing.dir} Flink keeps
     * checkpoints in the JobManager's memory, which refuses state over 5 MB: the inference job's image join retains
     * minutes of images and the trainer its held-out samples, so such a job runs for minutes, then fails every
     * checkpoint and restarts in a loop. Memory checkpoints chosen on purpose ({@code execution.checkpointing.storage:
     * jobmanager}) are let through.
     */
    static void requireDurableCheckpoints(ReadableConfig conf) {
        boolean directory = conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).filter(d -> !d.isBlank())
                .isPresent();
        boolean memoryByChoice = conf.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE)
                .filter(storage -> storage.equalsIgnoreCase("jobmanager")).isPresent();
        if (!directory && !memoryByChoice) {
            String dir = CheckpointingOptions.CHECKPOINTS_DIRECTORY.key();
            throw new IllegalArgumentException("no checkpoint directory: set " + dir + " (e.g. s3://bucket/"
                    + "checkpoints/job) in the cluster's configuration or as --" + dir + " DIR; JobManager memory holds "
                    + "at most 5 MB of state, which this job outgrows within minutes (set "
                    + CheckpointingOptions.CHECKPOINT_STORAGE.key() + ": jobmanager to keep it there anyway)");
        }
    }
}
