package io.vecnn.modelfile;

import java.util.List;
import java.util.Map;

/**
 * The parsed, validated header of a safetensors file.
 *
 * @param metadata  the {@code __metadata__} string map (empty when absent)
 * @param entries   the tensors in data order
 * @param dataStart absolute file offset of the data section
 */
public record SafetensorsHeader(Map<String, String> metadata, List<Entry> entries, long dataStart) {

    /**
     * One tensor of the file.
     *
     * @param begin offset of its first byte, relative to the data section
     * @param end   offset one past its last byte, relative to the data section
     */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }
}
