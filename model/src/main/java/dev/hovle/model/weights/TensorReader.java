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
 * A read-only BF16 matrix the CPU kernels serve ({@link Placement#HOST_KERNEL}) is not widened at all: it stays
 * the mapping, behind a stand-in array ({@link HostViews}). Writable arrays, conversions and other devices get a
 * copy owned by libtorch.
 */
final class TensorReader {
    private TensorReader() {}

    /** Where a tensor may be served from. */
    enum Placement {
        /** Anything libtorch computes with: a DJL array of the compute dtype. */
        LIBTORCH,
        /** A matrix every use of which goes through the host kernels ({@code Ops.linear}, embedding rows). */
        HOST_KERNEL
    }

    static NDArray read(SafetensorsFile file, TensorInfo info, NDManager manager, DataType target, boolean writable,
            HostViews views) throws IOException {
        return read(file, info, manager, target, writable, views, Placement.LIBTORCH);
    }

    static NDArray read(SafetensorsFile file, TensorInfo info, NDManager manager, DataType target, boolean writable,
            HostViews views, Placement placement) throws IOException {
        ByteBuffer bytes = file.map(info);
        Shape shape = new Shape(info.shape());
        boolean onCpu = manager.getDevice().equals(Device.cpu());
        if (info.dtype() == TensorDtype.BF16 && placement == Placement.HOST_KERNEL && !writable
                && target == DataType.FLOAT32 && info.shape().length == 2 && onCpu) {
            NDArray standIn = standIn(manager, shape);
            views.add(standIn, new HostMatrix(bytes, TensorDtype.BF16, (int) info.shape()[0], (int) info.shape()[1]));
            return standIn;
        }
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
            // decode reads matrices straight from the mapping
            views.add(raw, new HostMatrix(bytes, TensorDtype.F32, (int) info.shape()[0], (int) info.shape()[1]));
        }
        return raw;
    }

    /** An array of {@code shape} that costs no memory: one NaN, broadcast (a view with zero strides). */
    private static NDArray standIn(NDManager manager, Shape shape) {
        try (NDArray nan = manager.create(Float.NaN); NDArray one = nan.reshape(1, 1)) {
            return one.broadcast(shape);
        }
    }

    private static ByteBuffer widenBf16(ShortBuffer source, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            out.putInt((source.get(i) & 0xFFFF) << 16);
        }
        return out.flip();
    }
}
