package dev.hovle.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobConfigurationTest {
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(7);

    @Test
    void refusesToStartWithoutACheckpointDirectory() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        assertThatThrownBy(() -> JobConfiguration.apply(env, new String[0], c -> DEFAULT_INTERVAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("execution.checkpointing.dir")
                .hasMessageContaining("5 MB");
    }

    @Test
    void takesTheCheckpointDirectoryFromTheClusterOrTheArguments() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///var/checkpoints/cluster");
        Configuration fromCluster = JobConfiguration.apply(
                StreamExecutionEnvironment.getExecutionEnvironment(cluster), new String[0], c -> DEFAULT_INTERVAL);
        Configuration fromArguments = JobConfiguration.apply(
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration()),
                new String[] {"--execution.checkpointing.dir", "file:///var/checkpoints/job"}, c -> DEFAULT_INTERVAL);

        assertThat(fromCluster.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///var/checkpoints/cluster");
        assertThat(fromArguments.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///var/checkpoints/job");
        assertThat(fromArguments.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(DEFAULT_INTERVAL);
        assertThat(fromArguments.get(PipelineOptions.GENERIC_TYPES)).isFalse();
    }

    @Test
    void letsJobManagerMemoryCheckpointsThroughWhenChosenExplicitly() {
        Configuration conf = JobConfiguration.apply(
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration()),
                new String[] {"--execution.checkpointing.storage", "jobmanager"}, c -> DEFAULT_INTERVAL);

        assertThat(conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEmpty();
    }
}
