package dev.hovle.tools.cli;

import dev.hovle.pipeline.inference.ConfigurationReference;
import dev.hovle.pipeline.inference.InferenceOptions;
import dev.hovle.pipeline.training.TrainingOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hovle options}: the jobs' configuration reference, the tables in deploy/configuration.md. */
@Command(name = "options", description = "Print every option of the inference job, then those the training job adds "
        + "(key, type, default, description), as the Markdown tables kept in deploy/configuration.md.")
final class OptionsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.print(ConfigurationReference.table(InferenceOptions.class));
        System.out.println();
        System.out.print(ConfigurationReference.table(TrainingOptions.class));
        return 0;
    }
}
