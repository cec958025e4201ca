package dev.hovle.model.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Turns mapped safetensors bytes into DJL arrays of the compute dtype, widening BF16 in Java on the way.
 *
 * <p>Read-only arrays of the stored dtype on the CPU are the file mapping itself (DJL keeps the buffer as the
 * tensor's storage): loading costs no copy and the weights live in the page cache, shared between processes.
 * Writable arrays, conversions and other devices get a copy owned by libtorch.
 */
final class TensorReader {
    private TensorReader() {}

    static NDArray read(SafetensorsFile file, TensorInfo info, NDManager manager, DataType target, boolean writable,
            HostViews views) throws IOException {
        ByteBuffer bytes = file.map(info);
        Shape shape = new Shape(info.shape());
        NDArray raw;
        if (info.dtype() == TensorDtype.BF16) {
            // bf16 is the top half of a float32: widen here so DJL never sees a bfloat16 array.
            raw = manager.create(widenBf16(bytes.asShortBuffer(), info.elementCount()), shape, DataType.FLOAT32);
        } else {
            raw = manager.create(bytes, shape, info.dtype().djlType());
        }
        boolean converts = target != null && raw.getDataType() != target;
        if (converts) {
            NDArray converted = raw.toType(target, false);
            raw.close();
            return converted;
        }
        if (writable && info.dtype() != TensorDtype.BF16) {
            NDArray copy = raw.duplicate(); // off the read-only mapping
            raw.close();
            return copy;
        }
        if (info.dtype() == TensorDtype.F32 && info.shape().length == 2 && raw.getDevice().equals(Device.cpu())) {
            views.add(raw, bytes); // decode reads matrices straight from the mapping
        }
        return raw;
    }

    private static ByteBuffer widenBf16(ShortBuffer source, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            out.putInt((source.get(i) & 0xFFFF) << 16);
        }
        return out.flip();
    }
}
