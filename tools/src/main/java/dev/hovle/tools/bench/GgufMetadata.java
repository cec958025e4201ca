package dev.hovle.tools.bench;

import java.io.IOException;

/** The typed values of GGUF metadata (GGUF value types 0-12): scalars are read, arrays are skipped. */
final class GgufMetadata {
    private GgufMetadata() {}

    private static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
            BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    /** Reads the value of {@code key}: a Long, Double, Boolean or String, or null for an array (skipped). */
    static Object readValue(GgufInput in, String key) throws IOException {
        int type = in.u32();
        if (type == ARRAY) {
            skipArray(in, key);
            return null;
        }
        return readScalar(in, type, key);
    }

    private static Object readScalar(GgufInput in, int type, String key) throws IOException {
        return switch (type) {
            case UINT8, UINT16, UINT32, UINT64 -> in.fixed(fixedWidth(type));
            case INT8 -> (long) (byte) in.fixed(1);
            case INT16 -> (long) (short) in.fixed(2);
            case INT32 -> (long) (int) in.fixed(4);
            case INT64 -> in.fixed(8);
            case BOOL -> in.fixed(1) != 0;
            case FLOAT32 -> (double) Float.intBitsToFloat((int) in.fixed(4));
            case FLOAT64 -> Double.longBitsToDouble(in.fixed(8));
            case STRING -> in.string("value of " + key);
            default -> throw in.corrupt("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(type));
        };
    }

    private static void skipArray(GgufInput in, String key) throws IOException {
        int elementType = in.u32();
        long count = in.u64("length of array " + key);
        in.requireRemaining(count, "array " + key); // every element takes a byte at least: bounds what follows
        if (elementType == STRING) {
            for (long i = 0; i < count; i++) {
                in.skip(in.u64("string length in array " + key), "array " + key);
            }
        } else if (elementType == ARRAY) {
            for (long i = 0; i < count; i++) {
                skipArray(in, key);
            }
        } else {
            int width = fixedWidth(elementType);
            if (width == 0) {
                throw in.corrupt("array '" + key + "' has unknown element type " + Integer.toUnsignedString(elementType));
            }
            in.skip(count * width, "array " + key);
        }
    }

    /** Bytes of a fixed-width value type; 0 for strings, arrays and unknown types. */
    private static int fixedWidth(int type) {
        return switch (type) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            default -> 0;
        };
    }
}
