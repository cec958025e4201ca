package dev.hovle.sql.model;

import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.catalog.listener.CatalogModificationListener;
import org.apache.flink.table.catalog.listener.CatalogModificationListenerFactory;
import org.apache.flink.table.catalog.listener.CreateModelEvent;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Checks a {@code 'provider' = 'hovle'} model when {@code CREATE MODEL} runs, not only when a query first uses it:
 * Flink 2.2 calls model providers at planning time, but notifies catalog modification listeners inside {@code
 * CREATE MODEL}. Enabled with {@code table.catalog-modification.listeners: hovle-model-check} (which {@code hovle sql}
 * sets). A failed check fails the statement; a {@code CREATE TEMPORARY MODEL} is then not registered, while a
 * permanent one has already been written to its catalog by the time Flink notifies listeners (drop it, or use a
 * temporary model).
 */
public final class ModelCheckListenerFactory implements CatalogModificationListenerFactory {
    public static final String IDENTIFIER = "hovle-model-check";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public CatalogModificationListener createListener(Context context) {
        ReadableConfig config = context.getConfiguration();
        ClassLoader classLoader = context.getUserClassLoader();
        return event -> {
            if (event instanceof CreateModelEvent created && isHovle(created.model().getOptions())) {
                if (!(created.model() instanceof ResolvedCatalogModel resolved)) {
                    throw new ValidationException("model " + created.identifier().asSummaryString()
                            + " reached the hovle check without resolved schemas");
                }
                FactoryUtil.createModelProvider(new HovleModelProviderFactory(), created.identifier(), resolved, config,
                        classLoader, created.isTemporary());
            }
        };
    }

    private static boolean isHovle(Map<String, String> options) {
        return HovleModelProviderFactory.IDENTIFIER.equalsIgnoreCase(options.get(FactoryUtil.PROVIDER.key()));
    }
}
