package dev.hovle.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hovle.model.generate.FinishReason;
import dev.hovle.model.generate.GenerationParams;
import dev.hovle.model.generate.GenerationResult;
import dev.hovle.model.generate.GenerationTimings;
import dev.hovle.model.generate.PixelTensor;
import dev.hovle.model.generate.SamplingParams;
import dev.hovle.operators.record.SourceRecord;
import dev.hovle.schemas.ErrorType;
import dev.hovle.schemas.Task;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record that crosses an operator boundary or sits in state is a Flink POJO, serializable with Kryo turned
 * off ({@code pipeline.generic-types: false}), and survives a round trip unchanged.
 */
class RecordSerializationTest {

    static Stream<Object> records() {
        SourceRecord source = TestEvents.record("hovle.requests", 7, "req-1", new byte[] {1, 2});
        RequestMeta meta = new RequestMeta("req-1", Task.QA, List.of("img-1"), 10, 20, source);
        PreparedRequest prepared = new PreparedRequest(meta, new int[] {1, 2, 3}, new int[] {1, 2, 3},
                new PixelTensor(new float[3 * 2 * 2], 1, 2), new GenerationParams(8, new int[] {2},
                        new SamplingParams(0.7, 5, 0.9, 42)), 99L, 4, 5);
        GenerationResult result = new GenerationResult(new int[] {5, 6}, FinishReason.STOP, 3,
                new GenerationTimings(1, 2, 3), "v1");
        return Stream.of(
                source,
                TestEvents.incoming(TestEvents.image("img-1", new byte[] {3}), 1),
                TestEvents.incoming(TestEvents.qa("req-1", "What?", "img-1"), 2),
                new ImageNeed("req-1", "img-1", 0),
                new ImagePart("req-1", "img-1", 0, TestEvents.image("img-1", new byte[] {3})),
                new ImagePart("req-1", "img-404", 1, null),
                new WorkItem(TestEvents.qa("req-1", "What?", "img-1"), List.of(new ImageInput("img-1", "image/png",
                        new byte[] {4}, null), new ImageInput("img-2", "image/png", null, "file:///x.png")), source, 3),
                meta,
                prepared,
                new PreparedRequest(meta, new int[] {1}, new int[] {1}, null, GenerationParams.greedy(4, 2), null, 0, 0),
                Generation.succeeded(prepared, 1, result),
                Generation.failed(prepared, 1, ErrorType.GENERATION_FAILED, "boom", "v1"));
    }

    @ParameterizedTest
    @MethodSource("records")
    void roundTripsAsPojoWithoutKryo(Object record) throws Exception {
        @SuppressWarnings("unchecked")
        TypeInformation<Object> type = (TypeInformation<Object>) TypeInformation.of(record.getClass());
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        TypeSerializer<Object> serializer = type.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(record, out);
        Object back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        assertThat(back).usingRecursiveComparison().isEqualTo(record);
    }
}
