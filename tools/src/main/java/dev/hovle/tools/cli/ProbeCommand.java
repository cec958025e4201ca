package dev.hovle.tools.cli;

import dev.hovle.model.HoVLEModel;
import dev.hovle.model.tokenizer.HoVLETokenizer;
import dev.hovle.model.train.SampleEncoder;
import dev.hovle.tools.probe.ShapesProbe;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hovle probe}: what the image tokens of a model carry about shapes pictures, layer by layer. */
@Command(name = "probe", description = "Linear probes on the image tokens of shapes EVAL pictures: after every layer, "
        + "how well a linear read-out recovers each shape's kind, colour and place, and the share of variance each "
        + "explains.")
final class ProbeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "snapshot directory")
    Path model;

    @Option(names = "--pictures", defaultValue = "1000", description = "EVAL pictures to probe; 70% fit the read-outs, "
            + "30% score them (default ${DEFAULT-VALUE})")
    int pictures;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        runtime.applyThreads();
        try (HoVLEModel hovle = HoVLEModel.load(model, runtime.resolveDevice(), runtime.dataType());
                HoVLETokenizer tokenizer = HoVLETokenizer.load(model)) {
            System.out.print(ShapesProbe.run(hovle, SampleEncoder.forModel(hovle.config(), tokenizer), pictures).table());
        }
        return 0;
    }
}
