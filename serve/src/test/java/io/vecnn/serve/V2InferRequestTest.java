package io.vecnn.serve;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the request parser tells a client whose binary sizes or data values are not what the protocol allows. */
class V2InferRequestTest {

    @ParameterizedTest(name = "binary_data_size {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "11.5|is not a non-negative integer",
                "\"12\"|is not a non-negative integer",
                "-4|is not a non-negative integer",
                "1000000000000000000000000000000|does not fit in the 12 bytes left",
                "16|does not fit in the 12 bytes left"
            })
    void binarySizesMustBeWholeByteCountsWithinTheBody(String size, String problem) {
        String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":"
                + "{\"binary_data_size\":" + size + "}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[json.length + 12];
        System.arraycopy(json, 0, body, 0, json.length);
        HttpError e = assertThrows(HttpError.class, () -> V2InferRequest.parse(body, json.length));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("binary_data_size " + size + " " + problem), e.getMessage());
    }

    @ParameterizedTest(name = "data [{0}]")
    @CsvSource(
            delimiter = '|',
            value = {"\"nan\"|a string", "\"1.5\"|a string", "null|null", "true|true", "{}|{"})
    void dataValuesMustBeNumbers(String value, String found) {
        byte[] body = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[" + value
                        + "]}]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpError e = assertThrows(HttpError.class, () -> V2InferRequest.parse(body, -1));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("must hold numbers only, found " + found + " at byte"), e.getMessage());
    }

    @ParameterizedTest(name = "data [{0}]")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"NaN\", \"Infinity\", \"-Infinity\"|as the server writes them",
                "NaN, Infinity, -Infinity|bare, as Python's json module writes them"
            })
    void nonFiniteValuesReadAsTheyAreWritten(String values, String how) {
        byte[] body = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[3],\"datatype\":\"FP32\",\"data\":[" + values
                        + "]}]}")
                .getBytes(StandardCharsets.UTF_8);
        float[] data = V2InferRequest.parse(body, -1).inputs().get(0).data();
        assertArrayEquals(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, data, how);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"inputs\":[{\"name\":\"input\",\"data\":[1,2|Unexpected end-of-input",
                "{\"inputs\":[{\"name\":\"input\", \"shape\": tru|Unrecognized token 'tru'",
                "{\"inputs\":[{\"name\":'input'}]}|Unexpected character"
            })
    void malformedJsonIsDescribedWithoutTheParsersInternals(String json, String problem) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        HttpError e = assertThrows(HttpError.class, () -> V2InferRequest.parse(body, -1));
        assertEquals(400, e.status());
        String message = e.getMessage();
        assertTrue(message.startsWith("malformed JSON in inference request: " + problem), message);
        assertFalse(message.contains("Source:") || message.contains("Feature") || message.contains("byte -1"), message);
        assertTrue(message.matches(".* at byte \\d+"), message);
    }
}
