package io.vecnn.converter.torchfile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Builds pickles opcode by opcode, for inputs torch.save would never write. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol(int protocol) {
        return new PickleBytes().op(PickleOpcodes.PROTO).op(protocol);
    }

    PickleBytes op(int b) {
        out.write(b);
        return this;
    }

    PickleBytes global(String module, String name) {
        op(PickleOpcodes.GLOBAL);
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op(PickleOpcodes.BINUNICODE);
        int32(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    PickleBytes shortStr(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op(PickleOpcodes.SHORT_BINUNICODE).op(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    PickleBytes integer(long v) {
        if (v == (int) v) {
            op(PickleOpcodes.BININT);
            return int32((int) v);
        }
        op(PickleOpcodes.LONG1).op(8);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    PickleBytes int32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    PickleBytes tuple(long... values) {
        if (values.length == 0) {
            return op(PickleOpcodes.EMPTY_TUPLE);
        }
        op(PickleOpcodes.MARK);
        for (long v : values) {
            integer(v);
        }
        return op(PickleOpcodes.TUPLE);
    }

    PickleBytes orderedDict() {
        return global("collections", "OrderedDict")
                .op(PickleOpcodes.EMPTY_TUPLE)
                .op(PickleOpcodes.REDUCE);
    }

    /** BINFLOAT: the double's eight bytes, big-endian. */
    PickleBytes binFloat(double v) {
        op(PickleOpcodes.BINFLOAT);
        long bits = Double.doubleToRawLongBits(v);
        for (int shift = 56; shift >= 0; shift -= 8) {
            op((int) (bits >>> shift) & 0xff);
        }
        return this;
    }

    /**
     * An instance of {@code module.name} as torch.save pickles a whole module: NEWOBJ without arguments, then
     * its empty {@code __dict__} with the MARK its SETITEMS closes.
     */
    PickleBytes newObject(String module, String name) {
        return global(module, name)
                .op(PickleOpcodes.EMPTY_TUPLE)
                .op(PickleOpcodes.NEWOBJ)
                .op(PickleOpcodes.EMPTY_DICT)
                .op(PickleOpcodes.MARK);
    }

    /** The persistent id of storage {@code key}: ('storage', torch.{storageClass}, key, device, numel). */
    PickleBytes storage(String storageClass, String key, String device, long numel) {
        return storage(storageClass, key, device, numel, p -> {});
    }

    /** As {@link #storage(String, String, String, long)}, with the fields {@code extra} pushes after numel. */
    PickleBytes storage(String storageClass, String key, String device, long numel, Consumer<PickleBytes> extra) {
        op(PickleOpcodes.MARK)
                .str("storage")
                .global("torch", storageClass)
                .str(key)
                .str(device)
                .integer(numel);
        extra.accept(this);
        return op(PickleOpcodes.TUPLE).op(PickleOpcodes.BINPERSID);
    }

    /** {@code _rebuild_tensor_v2} of a view of storage {@code key}, as torch.save writes it. */
    PickleBytes tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        return tensor(storageClass, key, numel, offset, size, stride, p -> {});
    }

    /** As {@link #tensor(String, String, long, long, long[], long[])}, with extra fields in the storage's id. */
    PickleBytes tensor(
            String storageClass,
            String key,
            long numel,
            long offset,
            long[] size,
            long[] stride,
            Consumer<PickleBytes> extraIdFields) {
        global("torch._utils", "_rebuild_tensor_v2").op(PickleOpcodes.MARK);
        storage(storageClass, key, "cpu", numel, extraIdFields);
        integer(offset).tuple(size).tuple(stride).op(PickleOpcodes.NEWFALSE).orderedDict();
        return op(PickleOpcodes.TUPLE).op(PickleOpcodes.REDUCE);
    }

    /**
     * {@code _rebuild_tensor_v2} of a storage as the legacy format declares it: {@code view} is null or
     * {@code {view key, offset, size}}.
     */
    PickleBytes legacyTensor(
            String storageClass, String key, long numel, Object[] view, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op(PickleOpcodes.MARK);
        op(PickleOpcodes.MARK)
                .str("storage")
                .global("torch", storageClass)
                .str(key)
                .str("cpu")
                .integer(numel);
        if (view == null) {
            op(PickleOpcodes.NONE);
        } else {
            op(PickleOpcodes.MARK)
                    .str((String) view[0])
                    .integer((Long) view[1])
                    .integer((Long) view[2])
                    .op(PickleOpcodes.TUPLE);
        }
        op(PickleOpcodes.TUPLE).op(PickleOpcodes.BINPERSID);
        integer(offset).tuple(size).tuple(stride).op(PickleOpcodes.NEWFALSE).orderedDict();
        return op(PickleOpcodes.TUPLE).op(PickleOpcodes.REDUCE);
    }

    int length() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    byte[] stop() {
        return op(PickleOpcodes.STOP).bytes();
    }
}
