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
     */
    public static Configuration apply(StreamExecutionEnvironment env, String[] args,
            Function<ReadableConfig, Duration> defaultCheckpointInterval) {
        Configuration conf = new Configuration();
        conf.addAll(Configuration.fromMap(env.getConfiguration().toMap()));
        conf.addAll(ParameterTool.fromArgs(args).getConfiguration());
        if (conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, defaultCheckpointInterval.apply(conf));
        }
        // Every record is Avro or a POJO: a type that would fall back to Kryo is a bug, caught at submission.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        return conf;
    }
}
