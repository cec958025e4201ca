package dev.hovle.pipeline.cli;

import dev.hovle.pipeline.inference.ConfigurationReference;
import dev.hovle.pipeline.inference.InferenceOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hovle options}: the inference job's configuration reference, the table in deploy/configuration.md. */
@Command(name = "options", description = "Print every option of the inference job (key, type, default, description) "
        + "as the Markdown table kept in deploy/configuration.md.")
final class OptionsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.print(ConfigurationReference.table(InferenceOptions.class));
        return 0;
    }
}
