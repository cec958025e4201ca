package dev.hovle.sql.format;

import dev.hovle.schemas.Topic;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code 'hovle-avro'} format: reads HoVLE Stream's Kafka events (Avro single-object encoding, as on {@code
 * hovle.images}) as table rows, one column per top-level event field, matched by name ({@code imageId} or {@code
 * image_id}). Columns may be any subset of the fields, in any order.
 *
 * <pre>{@code
 * CREATE TABLE images (image_id STRING, data BYTES, uri STRING, event_time TIMESTAMP_LTZ(3)) WITH (
 *   'connector' = 'kafka', 'topic' = 'hovle.images', 'properties.bootstrap.servers' = 'localhost:9092',
 *   'format' = 'hovle-avro', 'hovle-avro.event' = 'ImageEvent');
 * }</pre>
 */
public final class HovleAvroFormatFactory implements DeserializationFormatFactory {
    public static final String IDENTIFIER = "hovle-avro";

    public static final ConfigOption<String> EVENT = ConfigOptions.key("event").stringType().noDefaultValue()
            .withDescription("The event type of the records: " + eventNames() + " (required).");

    public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS = ConfigOptions.key("ignore-parse-errors")
            .booleanType().defaultValue(false)
            .withDescription("Skip records that are not a single-object encoded event of this type instead of "
                    + "failing the job (the DataStream job makes them dead letters; SQL has no side output).");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(EVENT);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(IGNORE_PARSE_ERRORS);
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context,
            ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        Class<? extends SpecificRecordBase> event = eventType(formatOptions.get(EVENT));
        boolean ignoreParseErrors = formatOptions.get(IGNORE_PARSE_ERRORS);
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context source,
                    DataType physicalDataType) {
                return new EventRowDeserializer<>(event, (RowType) physicalDataType.getLogicalType(),
                        source.createTypeInformation(physicalDataType), ignoreParseErrors);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    private static Class<? extends SpecificRecordBase> eventType(String name) {
        return Arrays.stream(Topic.values()).map(Topic::recordType)
                .filter(t -> t.getSimpleName().equalsIgnoreCase(name.strip())).findFirst()
                .orElseThrow(() -> new ValidationException("'" + IDENTIFIER + "." + EVENT.key() + "' = '" + name
                        + "' is not an event type; use one of " + eventNames()));
    }

    private static String eventNames() {
        return Arrays.stream(Topic.values()).map(t -> t.recordType().getSimpleName() + " (" + t.defaultName() + ")")
                .collect(Collectors.joining(", "));
    }
}
