package io.vecnn.converter.safetensors;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.modelfile.Safetensors;
import io.vecnn.modelfile.SafetensorsHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * State dicts in safetensors files (Hugging Face's format): read with the runtime's validating header
 * parser, and written as float32 by {@code vecnn export}.
 */
public final class SafetensorsStateDicts {
    private static final Map<String, DType> DTYPES = Map.of(
            "F32",
            DType.FLOAT32,
            "F64",
            DType.FLOAT64,
            "F16",
            DType.FLOAT16,
            "BF16",
            DType.BFLOAT16,
            "I64",
            DType.INT64,
            "I32",
            DType.INT32,
            "I16",
            DType.INT16,
            "I8",
            DType.INT8,
            "U8",
            DType.UINT8,
            "BOOL",
            DType.BOOL);

    private SafetensorsStateDicts() {}

    /** True when the first bytes look like a safetensors file: a small header length, then '{'. */
    public static boolean looksLike(byte[] head, int length) {
        if (length < 9 || head[8] != '{') {
            return false;
        }
        long headerLength =
                ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLength > 0 && headerLength < (100L << 20);
    }

    public static StateDict read(Path file, ReadProgress progress) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = Safetensors.readHeader(channel, file);
            Map<String, TorchTensor> tensors = new LinkedHashMap<>();
            Set<DType> widened = new TreeSet<>();
            for (SafetensorsHeader.Entry e : header.entries()) {
                DType dtype = DTYPES.get(e.dtype());
                if (dtype == null) {
                    throw new VecnnException(file + ": tensor '" + e.name() + "' has dtype " + e.dtype()
                            + ", which VecNN does not read (floating point and integer types only)");
                }
                ByteBuffer bytes =
                        ByteBuffer.allocate((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
                long position = header.dataStart() + e.begin();
                while (bytes.hasRemaining()) {
                    if (channel.read(bytes, position + bytes.position()) < 0) {
                        throw new VecnnException(file + ": unexpected end of file in tensor '" + e.name() + "'");
                    }
                }
                progress.advance(bytes.capacity());
                float[] data = new float[(int) e.numel()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = dtype.read(bytes, i);
                }
                if (dtype != DType.FLOAT32 && dtype.isFloating()) {
                    widened.add(dtype);
                }
                tensors.put(e.name(), new TorchTensor(dtype, e.shape(), data));
            }
            List<String> notes = new ArrayList<>();
            for (DType d : widened) {
                notes.add(d + " tensors converted to FLOAT32");
            }
            return new StateDict(tensors, notes, WeightFormat.SAFETENSORS);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a state dict as safetensors, atomically: floating tensors as F32 (exact for float16 and
     * bfloat16 sources), integer and bool buffers as I64.
     */
    public static void write(StateDict stateDict, Path file, Map<String, String> metadata) {
        Map<String, Safetensors.Data> tensors = new LinkedHashMap<>();
        stateDict
                .tensors()
                .forEach((k, t) -> tensors.put(
                        k, new Safetensors.Data(t.dtype().isFloating() ? "F32" : "I64", t.shape(), t.data())));
        Safetensors.writeData(file, metadata, tensors);
    }
}
