package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.DType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;

/**
 * Writes the data.pkl of a torch.save zip in pickle protocol 2, exactly the opcodes PyTorch writes
 * for an OrderedDict of tensors minus the memo, which only shortens the file.
 */
final class StateDictPickler {

    /**
     * One tensor as the pickle describes it; its storage is the record {@code data/<storageKey>}.
     *
     * @param shape contiguous row-major, so the stride follows from it
     */
    record Entry(String key, DType dtype, int[] shape, String storageKey) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final TorchZipWriter.StorageIds ids;

    private StateDictPickler(TorchZipWriter.StorageIds ids) {
        this.ids = ids;
    }

    static byte[] pickle(List<Entry> entries) {
        return pickle(entries, TorchZipWriter.StorageIds.FIVE_FIELDS, Map.of());
    }

    /**
     * @param moduleVersions by module prefix, written as the OrderedDict's {@code _metadata} attribute
     *                       ({@code {prefix: {'version': v}}}) when not empty
     */
    static byte[] pickle(List<Entry> entries, TorchZipWriter.StorageIds ids, Map<String, Integer> moduleVersions) {
        StateDictPickler p = new StateDictPickler(ids);
        p.op(PROTO);
        p.op(2);
        p.orderedDict();
        p.op(MARK);
        for (Entry e : entries) {
            p.string(e.key());
            p.tensor(e);
        }
        p.op(SETITEMS);
        if (!moduleVersions.isEmpty()) {
            p.metadata(moduleVersions);
        }
        p.op(STOP);
        return p.out.toByteArray();
    }

    /** The state OrderedDict's __reduce__ gives after its items: {@code {'_metadata': OrderedDict(...)}}, BUILD. */
    private void metadata(Map<String, Integer> moduleVersions) {
        op(EMPTY_DICT);
        string("_metadata");
        orderedDict();
        op(MARK);
        for (Map.Entry<String, Integer> m : new TreeMap<>(moduleVersions).entrySet()) {
            string(m.getKey());
            op(EMPTY_DICT);
            string("version");
            integer(m.getValue());
            op(SETITEM);
        }
        op(SETITEMS);
        op(SETITEM);
        op(BUILD);
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks) */
    private void tensor(Entry e) {
        global("torch._utils", "_rebuild_tensor_v2");
        op(MARK);
        op(MARK);
        string("storage");
        global("torch", e.dtype().storageClass());
        string(e.storageKey());
        string("cpu");
        integer(numel(e.shape()));
        if (ids == TorchZipWriter.StorageIds.SIX_FIELDS) {
            op(NONE);
        }
        op(TUPLE);
        op(BINPERSID);
        integer(0);
        tuple(e.shape());
        tuple(contiguousStride(e.shape()));
        op(NEWFALSE);
        orderedDict();
        op(TUPLE);
        op(REDUCE);
    }

    private void orderedDict() {
        global("collections", "OrderedDict");
        op(EMPTY_TUPLE);
        op(REDUCE);
    }

    /** PyTorch's contiguous strides, which count an empty dimension as 1 (so they can pass 2^31). */
    private static long[] contiguousStride(int[] shape) {
        long[] stride = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = step;
            step *= Math.max(shape[d], 1);
        }
        return stride;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private void tuple(int[] values) {
        long[] wide = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        tuple(wide);
    }

    private void tuple(long[] values) {
        if (values.length == 0) {
            op(EMPTY_TUPLE);
            return;
        }
        op(MARK);
        for (long v : values) {
            integer(v);
        }
        op(TUPLE);
    }

    private void integer(long v) {
        if (v == (int) v) {
            op(BININT);
            littleEndian(v, 4);
        } else {
            op(LONG1);
            op(8);
            littleEndian(v, 8);
        }
    }

    private void littleEndian(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    private void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op(BINUNICODE);
        littleEndian(utf8.length, 4);
        out.writeBytes(utf8);
    }

    private void global(String module, String name) {
        op(GLOBAL);
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void op(int b) {
        out.write(b);
    }
}
