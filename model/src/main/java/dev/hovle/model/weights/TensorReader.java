package dev.hovle.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/** Turns mapped safetensors bytes into DJL arrays of the compute dtype, widening BF16 in Java on the way. */
final class TensorReader {
    private TensorReader() {}

    static NDArray read(SafetensorsFile file, TensorInfo info, NDManager manager, DataType target) throws IOException {
        ByteBuffer bytes = file.map(info);
        Shape shape = new Shape(info.shape());
        if (info.dtype() == TensorDtype.BF16) {
            // bf16 is the top half of a float32: widen here so DJL never sees a bfloat16 array.
            NDArray widened = manager.create(widenBf16(bytes.asShortBuffer(), info.elementCount()), shape, DataType.FLOAT32);
            return convert(widened, target);
        }
        NDArray raw = manager.create(copyDirect(bytes), shape, info.dtype().djlType());
        return convert(raw, target);
    }

    private static NDArray convert(NDArray array, DataType target) {
        if (target == null || array.getDataType() == target) {
            return array;
        }
        NDArray converted = array.toType(target, false);
        array.close();
        return converted;
    }

    private static ByteBuffer widenBf16(ShortBuffer source, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            out.putInt((source.get(i) & 0xFFFF) << 16);
        }
        return out.flip();
    }

    /**
     * Copies the mapped bytes into a native-order direct buffer: the mapping is read-only (training updates weights
     * in place) and DJL may keep the buffer it was given as the tensor's storage.
     */
    private static ByteBuffer copyDirect(ByteBuffer mapped) {
        ByteBuffer out = ByteBuffer.allocateDirect(mapped.remaining()).order(ByteOrder.nativeOrder());
        out.put(mapped.duplicate());
        return out.flip();
    }
}
