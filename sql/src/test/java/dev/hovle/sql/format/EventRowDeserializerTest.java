package dev.hovle.sql.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hovle.schemas.ImageEvent;
import dev.hovle.schemas.wire.EventCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

class EventRowDeserializerTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");

    private static EventRowDeserializer<ImageEvent> deserializer(DataType row, boolean ignoreParseErrors) {
        return new EventRowDeserializer<>(ImageEvent.class, (RowType) row.getLogicalType(), null, ignoreParseErrors);
    }

    @Test
    void readsTheColumnsItNamesBySnakeCaseOrFieldName() throws IOException {
        ImageEvent event = ImageEvent.newBuilder().setImageId("img-1").setSource("cam").setEventTime(AT)
                .setMediaType("image/png").setData(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setAttributes(Map.of("tenant", "a")).build();
        DataType row = DataTypes.ROW(DataTypes.FIELD("image_id", DataTypes.STRING()),
                DataTypes.FIELD("data", DataTypes.BYTES()), DataTypes.FIELD("uri", DataTypes.STRING()),
                DataTypes.FIELD("eventTime", DataTypes.TIMESTAMP_LTZ(3)),
                DataTypes.FIELD("attributes", DataTypes.MAP(DataTypes.STRING(), DataTypes.STRING())));

        RowData read = deserializer(row, false).deserialize(EventCodec.of(ImageEvent.class).encode(event));

        assertThat(read.getString(0).toString()).isEqualTo("img-1");
        assertThat(read.getBinary(1)).containsExactly(1, 2, 3);
        assertThat(read.isNullAt(2)).isTrue();
        assertThat(read.getTimestamp(3, 3).toInstant()).isEqualTo(AT);
        assertThat(read.getMap(4).size()).isEqualTo(1);
    }

    @Test
    void refusesAColumnTheEventDoesNotHaveNamingItsFields() {
        assertThatThrownBy(() -> deserializer(DataTypes.ROW(DataTypes.FIELD("caption", DataTypes.STRING())), false))
                .hasMessageContaining("column caption is not a field of ImageEvent; its fields are [imageId");
    }

    @Test
    void refusesAColumnTypeThatCannotHoldTheField() {
        assertThatThrownBy(() -> deserializer(DataTypes.ROW(DataTypes.FIELD("data", DataTypes.STRING())), false))
                .hasMessageContaining("column data is STRING, which cannot hold ImageEvent.data");
    }

    @Test
    void failsOnAnUndecodableRecordUnlessToldToSkipIt() throws IOException {
        DataType row = DataTypes.ROW(DataTypes.FIELD("image_id", DataTypes.STRING()));
        byte[] garbage = {0x00, 0x11, 0x22};

        assertThatThrownBy(() -> deserializer(row, false).deserialize(garbage))
                .hasMessageContaining("a record is not a single-object encoded ImageEvent").hasMessageContaining("ignore-parse-errors");
        assertThat(deserializer(row, true).deserialize(garbage)).isNull();
    }
}
