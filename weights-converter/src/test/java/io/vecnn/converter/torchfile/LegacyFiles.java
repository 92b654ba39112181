package io.vecnn.converter.torchfile;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Assembles files in the legacy torch.save format from chosen pickles and storages, for defects torch never writes. */
final class LegacyFiles {

    private LegacyFiles() {}

    /** The magic number, protocol version and sys_info pickles every legacy file starts with. */
    static byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PickleBytes magic = PickleBytes.protocol(2).op(PickleOpcodes.LONG1).op(10);
        for (int b : new int[] {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}) {
            magic.op(b);
        }
        out.writeBytes(magic.stop());
        out.writeBytes(PickleBytes.protocol(2)
                .op(PickleOpcodes.BININT2)
                .op(1001 & 0xff)
                .op(1001 >> 8)
                .stop());
        out.writeBytes(PickleBytes.protocol(2).op(PickleOpcodes.EMPTY_DICT).stop());
        return out.toByteArray();
    }

    /** A whole file: the header, the object's pickle, the key list, then each storage's count and raw bytes. */
    static byte[] file(byte[] pickle, List<String> keys, long[] counts, List<byte[]> data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header());
        out.writeBytes(pickle);
        PickleBytes list = PickleBytes.protocol(2).op(PickleOpcodes.EMPTY_LIST).op(PickleOpcodes.MARK);
        for (String key : keys) {
            list.str(key);
        }
        out.writeBytes(list.op(PickleOpcodes.APPENDS).stop());
        for (int i = 0; i < keys.size(); i++) {
            out.writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(counts[i])
                    .array());
            out.writeBytes(data.get(i));
        }
        return out.toByteArray();
    }
}
