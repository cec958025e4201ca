package dev.hovle.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloatTensorsTest {

    @Test
    void roundTripsValuesInRowMajorOrder() {
        float[] values = {0f, 1f, 2f, 3f, 4f, 5f};

        FloatTensor tensor = FloatTensors.of(values, 2, 3);

        assertThat(tensor.getShape()).containsExactly(2, 3);
        assertThat(FloatTensors.values(tensor)).containsExactly(values);
    }

    @Test
    void storesLittleEndianFloat32() {
        FloatTensor tensor = FloatTensors.of(new float[] {1f}, 1);

        // 1.0f is 0x3F800000: little-endian puts the low byte first.
        assertThat(tensor.getData().array()).containsExactly(0x00, 0x00, 0x80, 0x3F);
    }

    @Test
    void holdsAScalarWithAnEmptyShape() {
        FloatTensor scalar = FloatTensors.of(new float[] {2.5f});

        assertThat(scalar.getShape()).isEmpty();
        assertThat(FloatTensors.values(scalar)).containsExactly(2.5f);
    }

    @Test
    void rejectsValuesThatDoNotFillTheShape() {
        assertThatThrownBy(() -> FloatTensors.of(new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 6 values, got 5");
    }

    @Test
    void rejectsDataOfTheWrongLength() {
        FloatTensor invalid = FloatTensor.newBuilder().setShape(List.of(2)).setData(ByteBuffer.allocate(7)).build();

        assertThatThrownBy(() -> FloatTensors.values(invalid))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 8 bytes of float32, got 7");
    }

    @Test
    void leavesTheRecordsBufferUntouchedWhenReading() {
        FloatTensor tensor = FloatTensors.of(new float[] {1f, 2f}, 2);

        FloatTensors.values(tensor);

        assertThat(tensor.getData().position()).isZero();
        assertThat(FloatTensors.values(tensor)).containsExactly(1f, 2f);
    }
}
