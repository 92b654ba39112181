package io.vecnn.converter.statedict;

/** The element types a PyTorch state dict may hold, with their size in bytes and PyTorch storage class. */
public enum DType {
    FLOAT32(4, "FloatStorage", true),
    FLOAT64(8, "DoubleStorage", true),
    FLOAT16(2, "HalfStorage", true),
    BFLOAT16(2, "BFloat16Storage", true),
    INT64(8, "LongStorage", false),
    INT32(4, "IntStorage", false),
    INT16(2, "ShortStorage", false),
    INT8(1, "CharStorage", false),
    UINT8(1, "ByteStorage", false),
    BOOL(1, "BoolStorage", false);

    private final int bytes;
    private final String storageClass;
    private final boolean floating;

    DType(int bytes, String storageClass, boolean floating) {
        this.bytes = bytes;
        this.storageClass = storageClass;
        this.floating = floating;
    }

    public int bytes() {
        return bytes;
    }

    /** The class name torch.save writes for a storage of this type, e.g. {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Element {@code i} of a little- or big-endian buffer (the buffer's order) holding values of this type, as a float. */
    public float read(java.nio.ByteBuffer b, int i) {
        return switch (this) {
            case FLOAT32 -> b.getFloat(i * 4);
            case FLOAT64 -> (float) b.getDouble(i * 8);
            case FLOAT16 -> HalfFloat.toFloat(b.getShort(i * 2));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case INT64 -> (float) b.getLong(i * 8);
            case INT32 -> (float) b.getInt(i * 4);
            case INT16 -> b.getShort(i * 2);
            case INT8 -> b.get(i);
            case UINT8 -> b.get(i) & 0xff;
            case BOOL -> b.get(i) != 0 ? 1f : 0f;
        };
    }

    /** The dtype of a storage class name such as {@code FloatStorage}, or null when it is not one we know. */
    public static DType ofStorageClass(String name) {
        for (DType t : values()) {
            if (t.storageClass.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
