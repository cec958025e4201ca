package dev.hovle.sql.model;

import dev.hovle.model.config.HoVLEConfig;
import dev.hovle.operators.inference.RequestPreparation;
import dev.hovle.operators.serving.EngineSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogModel;

/**
 * A checked {@code 'provider' = 'hovle'} model: the engine it runs on, how rows are prepared, what its columns mean
 * and what a row it cannot serve gives. Shipped to the TaskManagers inside the predict function.
 *
 * @param engine the shared engine's spec
 * @param preparation how rows become engine requests
 * @param columns the roles of the INPUT and OUTPUT columns
 * @param onError what a row the model cannot serve gives
 * @param updates how the model follows the model-updates topic, or null when it serves {@code model.dir} only
 */
record HovleModel(EngineSpec engine, RequestPreparation.Settings preparation, ModelColumns columns, OnError onError,
        ModelUpdatesSettings updates) implements Serializable {

    /**
     * The model {@code options} and {@code model}'s schemas describe.
     *
     * @throws ValidationException naming the option or column at fault, or the model directory that holds no snapshot
     */
    static HovleModel check(String name, ReadableConfig options, ResolvedCatalogModel model) {
        try {
            OnError onError = OnError.parse(options.get(HovleModelOptions.ON_ERROR));
            ModelColumns columns = ModelColumns.of(model.getResolvedInputSchema(), model.getResolvedOutputSchema(),
                    onError);
            EngineSpec engine = HovleModelOptions.engineSpec(options);
            ModelUpdatesSettings updates = ModelUpdatesSettings.of(model.getOptions(), options);
            checkSnapshot(Path.of(engine.modelDir()), options.get(HovleModelOptions.MODEL_DIR));
            return new HovleModel(engine, HovleModelOptions.preparation(options), columns, onError, updates);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("model " + name + ": " + e.getMessage(), e);
        }
    }

    /** Fails unless {@code dir} holds a readable HoVLE config (where the statement runs; TaskManagers read it again). */
    private static void checkSnapshot(Path dir, String given) {
        String option = "'" + HovleModelOptions.MODEL_DIR.key() + "' = '" + given + "'";
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " is not a directory (resolved to " + dir + "); it must name "
                    + "a HoVLE snapshot (config.json, safetensors, tokenizer files), e.g. one `hovle init` wrote");
        }
        try {
            HoVLEConfig.read(dir);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(option + " holds no readable HoVLE snapshot: " + e.getMessage(), e);
        }
    }
}
