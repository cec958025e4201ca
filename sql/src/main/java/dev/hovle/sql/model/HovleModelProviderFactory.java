package dev.hovle.sql.model;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

/**
 * The {@code 'provider' = 'hovle'} model provider: {@code ML_PREDICT} over a HoVLE snapshot in the TaskManagers,
 * on the same shared continuous-batching engine as the DataStream inference job, asynchronously, so rows in flight
 * share decode steps.
 *
 * <pre>{@code
 * CREATE TEMPORARY MODEL captioner
 *   INPUT (image BYTES, prompt STRING) OUTPUT (answer STRING, model_version STRING, error STRING)
 *   WITH ('provider' = 'hovle', 'model.dir' = '/models/hovle');
 * SELECT id, answer FROM ML_PREDICT(TABLE images, MODEL captioner, DESCRIPTOR(image, prompt));
 * }</pre>
 *
 * <p>Flink calls this factory when a query is planned; {@link ModelCheckListenerFactory} runs the same checks when
 * the model is created.
 */
public final class HovleModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "hovle";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(HovleModelOptions.MODEL_DIR);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return HovleModelOptions.optional();
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        // Kafka consumer properties of the updates topic are free-form, as the Kafka connector's 'properties.*'.
        helper.validateExcept(HovleModelOptions.UPDATES_KAFKA_PROPERTIES);
        HovleModel model = HovleModel.check(context.getObjectIdentifier().asSummaryString(), helper.getOptions(),
                context.getCatalogModel());
        return new Provider(model);
    }

    /** Hands each ML_PREDICT operator its own asynchronous function over the model. */
    private record Provider(HovleModel model) implements AsyncPredictRuntimeProvider {
        @Override
        public HovlePredictFunction createAsyncPredictFunction(Context context) {
            return new HovlePredictFunction(model);
        }

        @Override
        public ModelProvider copy() {
            return new Provider(model);
        }
    }
}
