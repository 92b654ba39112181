package io.vecnn.serve;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An Open Inference Protocol (KServe V2) inference request, read from its JSON form or from the binary
 * tensor data extension (a JSON header of {@code Inference-Header-Content-Length} bytes followed by raw
 * little-endian tensors). Tensor data is streamed straight into a float array, nested or flat, so a
 * 224x224 image does not become 150,000 JSON nodes.
 */
record V2InferRequest(String id, JsonNode parameters, List<Input> inputs, List<Output> outputs) {
    private static final int MAX_DEPTH = 8;

    /** One input tensor; {@code data} is null in the JSON when the binary section holds it. */
    record Input(String name, long[] shape, String datatype, JsonNode parameters, float[] data) {}

    /** One requested output and its parameters ({@code classification}, {@code binary_data}). */
    record Output(String name, JsonNode parameters) {}

    /**
     * Parses a request body.
     *
     * @param jsonLength the {@code Inference-Header-Content-Length} header, or -1 when the body is all JSON
     */
    static V2InferRequest parse(byte[] body, long jsonLength) {
        if (jsonLength > body.length) {
            throw new HttpError(
                    400,
                    "Inference-Header-Content-Length is " + jsonLength + " but the body has only " + body.length
                            + " bytes");
        }
        int headerBytes = jsonLength < 0 ? body.length : (int) jsonLength;
        V2InferRequest request;
        try (JsonParser p = ExchangeIo.JSON.getFactory().createParser(body, 0, headerBytes)) {
            request = read(p);
            if (p.nextToken() != null) {
                throw new HttpError(400, "unexpected data after the inference request object");
            }
        } catch (JsonParseException e) {
            throw new HttpError(400, "malformed JSON in inference request: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new HttpError(400, "cannot read inference request: " + e.getMessage());
        }
        return request.withBinaryData(body, headerBytes, jsonLength >= 0);
    }

    private static V2InferRequest read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new HttpError(400, "inference request must be a JSON object");
        }
        String id = null;
        JsonNode parameters = null;
        List<Input> inputs = null;
        List<Output> outputs = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new HttpError(400, "'id' must be a string");
                    }
                    id = p.getText();
                }
                case "parameters" -> parameters = object(p, "parameters");
                case "inputs" -> inputs = inputs(p);
                case "outputs" -> outputs = outputs(p);
                default -> p.skipChildren();
            }
        }
        if (inputs == null) {
            throw new HttpError(400, "inference request has no 'inputs'");
        }
        return new V2InferRequest(id, parameters, inputs, outputs);
    }

    private static JsonNode object(JsonParser p, String what) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new HttpError(400, "'" + what + "' must be a JSON object");
        }
        return p.readValueAsTree();
    }

    private static List<Input> inputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "'inputs' must be an array of tensors");
        }
        List<Input> inputs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new HttpError(400, "each of 'inputs' must be a JSON object");
            }
            String name = null;
            long[] shape = null;
            String datatype = null;
            JsonNode parameters = null;
            float[] data = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> name = text(p, value, "input 'name'");
                    case "datatype" -> datatype = text(p, value, "input 'datatype'");
                    case "shape" -> shape = shape(p);
                    case "parameters" -> parameters = object(p, "input parameters");
                    case "data" -> data = data(p);
                    default -> p.skipChildren();
                }
            }
            if (name == null || shape == null || datatype == null) {
                throw new HttpError(400, "each input needs 'name', 'shape' and 'datatype'");
            }
            inputs.add(new Input(name, shape, datatype, parameters, data));
        }
        return inputs;
    }

    private static List<Output> outputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "'outputs' must be an array");
        }
        List<Output> outputs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new HttpError(400, "each of 'outputs' must be a JSON object");
            }
            String name = null;
            JsonNode parameters = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> name = text(p, value, "output 'name'");
                    case "parameters" -> parameters = object(p, "output parameters");
                    default -> p.skipChildren();
                }
            }
            if (name == null) {
                throw new HttpError(400, "each requested output needs a 'name'");
            }
            outputs.add(new Output(name, parameters));
        }
        return outputs;
    }

    private static String text(JsonParser p, JsonToken value, String what) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new HttpError(400, what + " must be a string");
        }
        return p.getText();
    }

    private static long[] shape(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "'shape' must be an array of integers");
        }
        long[] dims = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                throw new HttpError(400, "'shape' must be an array of non-negative integers");
            }
            if (n == MAX_DEPTH) {
                throw new HttpError(400, "'shape' has more than " + MAX_DEPTH + " dimensions");
            }
            if (n == dims.length) {
                dims = Arrays.copyOf(dims, MAX_DEPTH);
            }
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    /** Numbers of a flat or nested array, in row-major order. */
    private static float[] data(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new HttpError(400, "'data' must be an array");
        }
        float[] values = new float[1024];
        int n = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                if (++depth > MAX_DEPTH) {
                    throw new HttpError(400, "'data' is nested deeper than " + MAX_DEPTH + " levels");
                }
            } else if (t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                if (n == values.length) {
                    values = Arrays.copyOf(values, values.length * 2);
                }
                values[n++] = p.getFloatValue();
            } else if (t == JsonToken.VALUE_STRING && nonFinite(p.getText()) != null) {
                if (n == values.length) {
                    values = Arrays.copyOf(values, values.length * 2);
                }
                values[n++] = nonFinite(p.getText());
            } else {
                // A string token has no fixed text of its own: "NaN" in quotes would otherwise read as null.
                String found = t == JsonToken.VALUE_STRING ? "a string" : t.asString();
                throw new HttpError(
                        400,
                        "FP32 'data' must hold numbers only, found " + found + " at byte "
                                + p.currentLocation().getByteOffset());
            }
        }
        return Arrays.copyOf(values, n);
    }

    /** The value of "NaN", "Infinity" or "-Infinity", as outputs write them; null for any other string. */
    private static Float nonFinite(String text) {
        return switch (text) {
            case "NaN" -> Float.NaN;
            case "Infinity" -> Float.POSITIVE_INFINITY;
            case "-Infinity" -> Float.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    /** Fills the inputs whose data is in the binary section ({@code binary_data_size}), in order. */
    private V2InferRequest withBinaryData(byte[] body, int offset, boolean binary) {
        List<Input> filled = new ArrayList<>(inputs.size());
        int at = offset;
        for (Input in : inputs) {
            JsonNode size = in.parameters() == null ? null : in.parameters().get("binary_data_size");
            if (size == null) {
                filled.add(in);
                continue;
            }
            if (!binary) {
                throw new HttpError(
                        400,
                        "input '" + in.name() + "' has binary_data_size but the request has no "
                                + "Inference-Header-Content-Length header");
            }
            if (in.data() != null) {
                throw new HttpError(400, "input '" + in.name() + "' has both 'data' and binary_data_size");
            }
            // Only a JSON integer: asLong would read 11.5 as 11 and "12" as 12.
            if (!size.isIntegralNumber() || size.bigIntegerValue().signum() < 0) {
                throw new HttpError(
                        400, "input '" + in.name() + "' binary_data_size " + size + " is not a non-negative integer");
            }
            if (!size.canConvertToLong() || size.asLong() > body.length - at) {
                throw new HttpError(
                        400,
                        "input '" + in.name() + "' binary_data_size " + size + " does not fit in the "
                                + (body.length - at) + " bytes left in the body");
            }
            int bytes = (int) size.asLong();
            if (bytes % Float.BYTES != 0) {
                throw new HttpError(
                        400,
                        "input '" + in.name() + "' binary_data_size " + bytes
                                + " is not a whole number of FP32 values");
            }
            float[] data = new float[bytes / Float.BYTES];
            ByteBuffer.wrap(body, at, bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(data);
            at += bytes;
            filled.add(new Input(in.name(), in.shape(), in.datatype(), in.parameters(), data));
        }
        if (binary && at != body.length) {
            throw new HttpError(
                    400,
                    "body has " + (body.length - at) + " bytes after the binary tensor data that no "
                            + "input's binary_data_size accounts for");
        }
        return new V2InferRequest(id, parameters, filled, outputs);
    }
}
