package dev.hovle.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hovle} command line: model commands that need no Flink or Kafka. */
@Command(
        name = "hovle",
        mixinStandardHelpOptions = true,
        version = "HoVLE Stream 0.1.0",
        description = "HoVLE vision-language model tools: create, run, verify and benchmark models.",
        subcommands = {
            InitCommand.class,
            GenerateCommand.class,
            TilesCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            VerifyGoldenCommand.class,
            PackageGpuCommand.class,
            CommandLine.HelpCommand.class
        })
public final class HovleCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A command line with every model command; other modules add theirs with {@code addSubcommand}. */
    public static CommandLine commandLine() {
        return new CommandLine(new HovleCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
