package dev.hovle.pipeline.cli;

import dev.hovle.model.cli.HovleCli;
import picocli.CommandLine;

/** Entry point of {@code ./hovle}: the model commands plus the streaming pipeline's. */
public final class HovleMain {
    private HovleMain() {}

    /** The full command line. */
    public static CommandLine commandLine() {
        return HovleCli.commandLine().addSubcommand(new RunCommand());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
