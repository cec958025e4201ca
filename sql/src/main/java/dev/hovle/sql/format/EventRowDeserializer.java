package dev.hovle.sql.format;

import dev.hovle.schemas.wire.EventCodec;
import dev.hovle.schemas.wire.EventDecodingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * Decodes single-object encoded events of one type into rows of the table's columns. The columns are matched to the
 * event's fields when the table is planned, so a column the event lacks, or whose type cannot hold the field, is an
 * error naming both before any record is read.
 */
final class EventRowDeserializer<T extends SpecificRecordBase> implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;

    private final EventCodec<T> codec;
    private final RowType rowType;
    private final TypeInformation<RowData> producedType;
    private final boolean ignoreParseErrors;

    private transient FieldReader[] readers;

    EventRowDeserializer(Class<T> event, RowType rowType, TypeInformation<RowData> producedType,
            boolean ignoreParseErrors) {
        this.codec = EventCodec.of(event);
        this.rowType = rowType;
        this.producedType = producedType;
        this.ignoreParseErrors = ignoreParseErrors;
        this.readers = readers(codec.schema(), rowType);
    }

    @Override
    public void open(InitializationContext context) {
        readers = readers(codec.schema(), rowType);
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        if (message == null) {
            return null;
        }
        T event;
        try {
            event = codec.decode(message);
        } catch (EventDecodingException e) {
            if (ignoreParseErrors) {
                return null;
            }
            throw new IOException("a record is not a single-object encoded " + codec.type().getSimpleName() + " (" + e.errorType() + "): "
                    + e.getMessage() + "; set '" + HovleAvroFormatFactory.IDENTIFIER + "."
                    + HovleAvroFormatFactory.IGNORE_PARSE_ERRORS.key() + "' = 'true' to skip such records", e);
        }
        GenericRowData row = new GenericRowData(readers.length);
        for (int i = 0; i < readers.length; i++) {
            row.setField(i, readers[i].read(event));
        }
        return row;
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    /** Reads one column's value from an event. */
    @FunctionalInterface
    private interface FieldReader {
        Object read(SpecificRecordBase event);
    }

    private static FieldReader[] readers(Schema schema, RowType rowType) {
        FieldReader[] readers = new FieldReader[rowType.getFieldCount()];
        for (int i = 0; i < readers.length; i++) {
            String column = rowType.getFieldNames().get(i);
            Schema.Field field = field(schema, column);
            Schema fieldSchema = nonNull(field.schema());
            LogicalType type = rowType.getTypeAt(i);
            Converter convert = converter(type, fieldSchema);
            if (convert == null) {
                throw new ValidationException("column " + column + " is " + type.asSummaryString() + ", which cannot "
                        + "hold " + schema.getName() + "." + field.name() + " (Avro " + fieldSchema + ")");
            }
            int pos = field.pos();
            readers[i] = event -> {
                Object value = event.get(pos);
                return value == null ? null : convert.apply(value);
            };
        }
        return readers;
    }

    /** The field a column names: {@code imageId} by its name, or by the snake_case spelling {@code image_id}. */
    private static Schema.Field field(Schema schema, String column) {
        for (Schema.Field f : schema.getFields()) {
            if (f.name().equalsIgnoreCase(column) || f.name().equalsIgnoreCase(column.replace("_", ""))) {
                return f;
            }
        }
        List<String> names = new ArrayList<>();
        schema.getFields().forEach(f -> names.add(f.name()));
        throw new ValidationException("column " + column + " is not a field of " + schema.getName() + "; its fields "
                + "are " + names);
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElse(schema);
        }
        return schema;
    }

    @FunctionalInterface
    private interface Converter {
        Object apply(Object avroValue);
    }

    /** How a field of {@code avro}'s type becomes an internal value of {@code type}, or null when it cannot. */
    private static Converter converter(LogicalType type, Schema avro) {
        boolean timestamp = avro.getLogicalType() != null && avro.getLogicalType().getName().startsWith("timestamp");
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> avro.getType() == Schema.Type.STRING || avro.getType() == Schema.Type.ENUM
                    ? v -> StringData.fromString(v.toString()) : null;
            case BINARY, VARBINARY -> avro.getType() == Schema.Type.BYTES ? v -> bytes((ByteBuffer) v) : null;
            case BIGINT -> avro.getType() == Schema.Type.LONG && !timestamp ? v -> v : null;
            case INTEGER -> avro.getType() == Schema.Type.INT ? v -> v : null;
            case DOUBLE -> avro.getType() == Schema.Type.DOUBLE ? v -> v : null;
            case FLOAT -> avro.getType() == Schema.Type.FLOAT ? v -> v : null;
            case BOOLEAN -> avro.getType() == Schema.Type.BOOLEAN ? v -> v : null;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE, TIMESTAMP_WITHOUT_TIME_ZONE -> timestamp
                    ? v -> TimestampData.fromInstant(v instanceof Instant at ? at : Instant.ofEpochMilli((Long) v)) : null;
            case MAP -> avro.getType() == Schema.Type.MAP && avro.getValueType().getType() == Schema.Type.STRING
                    && isText(type.getChildren().get(0)) && isText(type.getChildren().get(1)) ? EventRowDeserializer::map
                    : null;
            case ARRAY -> avro.getType() == Schema.Type.ARRAY && avro.getElementType().getType() == Schema.Type.STRING
                    && isText(type.getChildren().get(0)) ? EventRowDeserializer::array : null;
            default -> null;
        };
    }

    private static boolean isText(LogicalType type) {
        return type.getTypeRoot() == LogicalTypeRoot.VARCHAR || type.getTypeRoot() == LogicalTypeRoot.CHAR;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static Object map(Object value) {
        Map<StringData, StringData> out = new HashMap<>();
        ((Map<?, ?>) value).forEach((k, v) -> out.put(StringData.fromString(k.toString()),
                v == null ? null : StringData.fromString(v.toString())));
        return new GenericMapData(out);
    }

    private static Object array(Object value) {
        List<?> list = (List<?>) value;
        StringData[] out = new StringData[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i) == null ? null : StringData.fromString(list.get(i).toString());
        }
        return new GenericArrayData(out);
    }
}
