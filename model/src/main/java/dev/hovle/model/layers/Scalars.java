package dev.hovle.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a Java number that is safe inside an autograd graph.
 *
 * <p>DJL's {@code x.mul(2.0)} (likewise {@code div}, {@code pow}, {@code maximum}, {@code Activation.swish}) wraps the
 * number in a tensor over a Java direct buffer ({@code torch::from_blob}, no copy) and closes it as soon as the op
 * returns. Autograd keeps that tensor for the backward pass of every op whose derivative reads it (div, mul, pow,
 * maximum), but nothing keeps the buffer: once a garbage collection frees it, the backward pass reads freed memory
 * and the gradients become garbage or NaN, at random and only when a collection happened between forward and
 * backward. These helpers make the scalar with {@code torch::full} instead, so libtorch owns its memory and the graph's
 * reference keeps it alive. Results are bit for bit those of the DJL calls they replace.
 */
public final class Scalars {
    private Scalars() {}

    /** x · s. */
    public static NDArray mul(NDArray x, double s) {
        return apply(x, s, NDArray::mul);
    }

    /** x / s. */
    public static NDArray div(NDArray x, double s) {
        return apply(x, s, NDArray::div);
    }

    /** x + s. */
    public static NDArray add(NDArray x, double s) {
        return apply(x, s, NDArray::add);
    }

    /** x ^ e, elementwise. */
    public static NDArray pow(NDArray x, double e) {
        return apply(x, e, NDArray::pow);
    }

    /** max(x, s), elementwise. */
    public static NDArray maximum(NDArray x, double s) {
        return apply(x, s, NDArray::maximum);
    }

    /** op(x, s) with s a 0-d tensor of x's dtype and device whose memory libtorch owns. */
    private static NDArray apply(NDArray x, double value, BinaryOperator<NDArray> op) {
        try (NDArray scalar = x.getManager().full(new Shape(), (float) value, x.getDataType())) {
            return op.apply(x, scalar);
        }
    }
}
