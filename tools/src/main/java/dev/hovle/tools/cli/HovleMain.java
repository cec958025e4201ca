package dev.hovle.tools.cli;

import picocli.CommandLine;

/** Entry point of {@code ./hovle}: the model commands plus the streaming pipeline's. */
public final class HovleMain {
    private HovleMain() {}

    /** The full command line. */
    public static CommandLine commandLine() {
        return HovleCli.commandLine().addSubcommand(new RunCommand()).addSubcommand(new SendCommand())
                .addSubcommand(new TailCommand()).addSubcommand(new ModelsCommand()).addSubcommand(new OptionsCommand())
                .addSubcommand(new BenchPipelineCommand()).addSubcommand(new WebCommand())
                .addSubcommand(new SqlCommand()).addSubcommand(new ClusterCommand())
                // Settings reach only the subcommands present when they are made: again, for these.
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        // Flink and Kafka warn about much that is expected in a local run; errors still show.
        for (String logger : new String[] {"org.apache.flink", "org.apache.kafka", "kafka", "org.apache.pekko"}) {
            System.setProperty("org.slf4j.simpleLogger.log." + logger,
                    System.getProperty("org.slf4j.simpleLogger.log." + logger, "error"));
        }
        System.exit(commandLine().execute(args));
    }
}
