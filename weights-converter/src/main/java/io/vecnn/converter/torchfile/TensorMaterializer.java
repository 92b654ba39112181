package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.TorchTensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a strided view of a storage into a contiguous row-major float32 array, converting the
 * element type, and remembers which conversions the user should hear about.
 */
final class TensorMaterializer {
    /** The largest float[] a JVM allocates. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Integers up to this magnitude are exact in float32. */
    private static final long EXACT_INT_LIMIT = 1L << 24;

    private static final int NAMES_IN_NOTE = 3;
    /**
     * Views may repeat elements (expanded dimensions, tensors sharing a storage), but a file whose views add
     * up to many times the elements it stores is built to exhaust memory: the floats made are limited to
     * this many times the stored elements, plus {@link #FREE_ELEMENTS}.
     */
    static final int EXPANSION_LIMIT = 4;

    static final long FREE_ELEMENTS = 1L << 24;

    private final Map<DType, List<String>> convertedKeys = new EnumMap<>(DType.class);
    private final List<String> roundedIntegerKeys = new ArrayList<>();
    private long storedElements;
    private long madeElements;

    /** Counts the elements of a block read from the file, which the floats made may expand on. */
    void blockRead(long elements) {
        storedElements += elements;
    }

    /**
     * @param block  the bytes of the block holding the storage, ordered as the file's byte order says, and
     *               already checked to hold all of the storage
     * @param record the block the storage came from, for messages
     */
    TorchTensor materialize(String key, TensorRef ref, ByteBuffer block, String record) {
        StorageRef source = ref.storage();
        DType dtype = source.dtype();
        long numel = checkedNumel(key, ref);
        if (numel > 0) {
            long last = lastIndex(key, ref);
            if (last >= source.numel()) {
                throw new VecnnException("key '" + key + "' (" + ref.describeView() + ") reaches element " + last
                        + " of its storage in " + record + ", which holds " + source.numel() + " "
                        + dtype.name().toLowerCase() + " elements");
            }
        }
        long allowed = EXPANSION_LIMIT * storedElements + FREE_ELEMENTS;
        if (madeElements + numel > allowed) {
            throw new VecnnException("key '" + key + "' (" + ref.describeView() + ") would bring the tensors read to "
                    + (madeElements + numel) + " values, but the file stores only " + storedElements
                    + " elements: refusing views that expand them more than " + EXPANSION_LIMIT + " times");
        }
        madeElements += numel;
        long start = source.offset() + ref.storageOffset();
        float[] data = new float[(int) numel];
        if (numel > 0 && dtype == DType.FLOAT32 && isContiguous(ref)) {
            // The common case, and the bulk of a large model: one block copy.
            ByteBuffer view = block.duplicate().order(block.order());
            view.position((int) (start * 4));
            view.asFloatBuffer().get(data);
        } else if (numel > 0) {
            gather(ref, start, block, data);
        }
        noteConversion(key, dtype, data);
        return new TorchTensor(dtype, ref.size().clone(), data);
    }

    List<String> notes() {
        List<String> notes = new ArrayList<>();
        convertedKeys.forEach((dtype, keys) -> {
            String verb = dtype == DType.FLOAT64 ? "rounded" : "widened";
            String exact = dtype == DType.FLOAT64 ? "" : " (exactly)";
            notes.add(verb + " " + keys.size() + " " + dtype.name().toLowerCase() + " tensor"
                    + (keys.size() == 1 ? "" : "s") + " to float32" + exact + ": " + names(keys));
        });
        if (!roundedIntegerKeys.isEmpty()) {
            notes.add("integers beyond 2^24, which float32 cannot all hold exactly, were rounded in "
                    + names(roundedIntegerKeys));
        }
        return notes;
    }

    private static long checkedNumel(String key, TensorRef ref) {
        long n = 1;
        for (int d : ref.size()) {
            n *= d;
            if (n > MAX_ELEMENTS) {
                throw new VecnnException("key '" + key + "' has shape " + Arrays.toString(ref.size())
                        + ", more elements than a Java array holds (" + MAX_ELEMENTS + ")");
            }
        }
        return n;
    }

    private static long lastIndex(String key, TensorRef ref) {
        try {
            long last = ref.storageOffset();
            for (int d = 0; d < ref.size().length; d++) {
                last = Math.addExact(last, Math.multiplyExact(ref.size()[d] - 1L, ref.stride()[d]));
            }
            return last;
        } catch (ArithmeticException e) {
            throw new VecnnException("key '" + key + "' (" + ref.describeView() + ") addresses elements beyond 2^63");
        }
    }

    private static boolean isContiguous(TensorRef ref) {
        long expected = 1;
        for (int d = ref.size().length - 1; d >= 0; d--) {
            if (ref.size()[d] != 1 && ref.stride()[d] != expected) {
                return false;
            }
            expected *= ref.size()[d];
        }
        return true;
    }

    /** Walks the view in row-major order like an odometer, stepping the storage index by the strides. */
    private static void gather(TensorRef ref, long start, ByteBuffer storage, float[] out) {
        int[] size = ref.size();
        long[] stride = ref.stride();
        DType dtype = ref.storage().dtype();
        int[] index = new int[size.length];
        long at = start;
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.read(storage, (int) at);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    at += stride[d];
                    break;
                }
                at -= (size[d] - 1L) * stride[d];
                index[d] = 0;
            }
        }
    }

    private void noteConversion(String key, DType dtype, float[] data) {
        if (dtype == DType.FLOAT64 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16) {
            convertedKeys.computeIfAbsent(dtype, t -> new ArrayList<>()).add(key);
        } else if (dtype == DType.INT64 || dtype == DType.INT32) {
            for (float v : data) {
                if (Math.abs(v) > EXACT_INT_LIMIT) {
                    roundedIntegerKeys.add(key);
                    break;
                }
            }
        }
    }

    private static String names(List<String> keys) {
        List<String> shown = new ArrayList<>();
        for (String k : keys.subList(0, Math.min(NAMES_IN_NOTE, keys.size()))) {
            shown.add("'" + k + "'");
        }
        int more = keys.size() - shown.size();
        return String.join(", ", shown) + (more > 0 ? " and " + more + " more" : "");
    }
}
