package io.vecnn.npy;

import io.vecnn.VecnnException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A shape an array cannot have, or a Java array cannot hold, is refused naming the dimension and why. */
class NpyShapeTest {

    @ParameterizedTest(name = "shape ({0},)")
    @CsvSource(
            delimiter = '|',
            value = {
                "2147483648|is larger than a Java array can hold",
                "99999999999L|is larger than a Java array can hold",
                "-2|is not a non-negative integer",
                "2.5|is not a non-negative integer"
            })
    void badDimensionsSayWhatIsWrong(String dimension, String why) {
        byte[] file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dimension + ",), }");
        VecnnException e = assertThrows(VecnnException.class, () -> Npy.parse(file, "t.npy"));
        assertEquals("t.npy: NPY shape dimension '" + dimension + "' " + why, e.getMessage());
    }

    private static byte[] npy(String header) {
        byte[] text = (header + "\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(10 + text.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) text.length)
                .put(text)
                .array();
    }
}
