package dev.hovle.tools.cli;

import dev.hovle.model.config.ConfigException;
import dev.hovle.model.generate.GenerationException;
import dev.hovle.model.vision.InvalidImageException;
import dev.hovle.model.weights.WeightException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
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
            ConvertCommand.class,
            GenerateCommand.class,
            TilesCommand.class,
            BenchCommand.class,
            BenchImagesCommand.class,
            TrainCommand.class,
            ProbeCommand.class,
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
        return new CommandLine(new HovleCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(HovleCli::reportError);
    }

    /** Bad input gets one clear line naming what was wrong; anything else keeps its stack trace. */
    private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        boolean userError = cause instanceof IllegalArgumentException || cause instanceof IOException
                || cause instanceof InvalidImageException
                || cause instanceof ConfigException
                || cause instanceof WeightException
                || cause instanceof GenerationException;
        if (userError) {
            cmd.getErr().println("hovle " + cmd.getCommandName() + ": " + cause.getMessage());
        } else {
            cause.printStackTrace(cmd.getErr());
        }
        return 2;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
