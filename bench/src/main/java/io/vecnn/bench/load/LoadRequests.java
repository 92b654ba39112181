package io.vecnn.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vecnn.VecnnException;
import io.vecnn.bench.GaussianArrays;
import io.vecnn.image.ImageDecoder;
import io.vecnn.npy.Npy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Builds the one request every client sends, encoded once before the run so that the load generator
 * measures the server, not its own encoding. An {@link HttpRequest} with a byte-array body can be sent any
 * number of times, from any thread.
 */
public final class LoadRequests {
    /** Fixed, so that two runs send the same tensor and differ only in what they set out to compare. */
    private static final long SEED = 42;

    private static final JsonFactory JSON = new JsonFactory();

    private LoadRequests() {}

    /**
     * @param images how many images each request carries (the tensor's N); 1 for {@link Payload#IMAGE}
     * @param image  the encoded JPEG or PNG for {@link Payload#IMAGE}, otherwise ignored
     */
    public static HttpRequest build(ModelTarget target, Payload payload, int images, byte[] image, Duration timeout) {
        HttpRequest.Builder request = switch (payload) {
            case V2_JSON ->
                HttpRequest.newBuilder(inferUri(target))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(v2Json(target, images)));
            case V2_BINARY -> v2Binary(target, images);
            case NPY ->
                HttpRequest.newBuilder(predictUri(target))
                        .header("Content-Type", "application/x-npy")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                Npy.encode(shape(target, images), tensor(target, images))));
            case IMAGE ->
                HttpRequest.newBuilder(predictUri(target))
                        .header("Content-Type", imageType(image))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(image));
        };
        return request.timeout(timeout).build();
    }

    private static URI inferUri(ModelTarget target) {
        return target.resolve("/v2/models/" + target.model() + "/infer");
    }

    private static URI predictUri(ModelTarget target) {
        return target.resolve("/v1/models/" + target.model() + ":predict");
    }

    private static int[] shape(ModelTarget target, int images) {
        return new int[] {
            images, target.input().get(0), target.input().get(1), target.input().get(2)
        };
    }

    /** Standard normal values: the range of an image after ImageNet normalization. */
    static float[] tensor(ModelTarget target, int images) {
        return GaussianArrays.of(images * target.imageValues(), new SplittableRandom(SEED));
    }

    private static byte[] v2Json(ModelTarget target, int images) {
        float[] data = tensor(target, images);
        return v2Body(
                        12 * data.length + 256,
                        target,
                        images,
                        g -> {
                            g.writeArrayFieldStart("data");
                            for (float v : data) {
                                g.writeNumber(v);
                            }
                            g.writeEndArray();
                        },
                        g -> {})
                .toByteArray();
    }

    /** The binary extension both ways: raw floats in, raw logits out, so neither side formats numbers. */
    private static HttpRequest.Builder v2Binary(ModelTarget target, int images) {
        float[] data = tensor(target, images);
        ByteArrayOutputStream header = v2Body(
                256,
                target,
                images,
                g -> {
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField("binary_data_size", data.length * Float.BYTES);
                    g.writeEndObject();
                },
                g -> {
                    g.writeArrayFieldStart("outputs");
                    g.writeStartObject();
                    g.writeStringField("name", "output");
                    g.writeObjectFieldStart("parameters");
                    g.writeBooleanField("binary_data", true);
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeEndArray();
                });
        ByteBuffer body =
                ByteBuffer.allocate(header.size() + data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header.toByteArray());
        body.asFloatBuffer().put(data);
        return HttpRequest.newBuilder(inferUri(target))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", String.valueOf(header.size()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array()));
    }

    /** Writes a part of a JSON object. */
    @FunctionalInterface
    private interface JsonPart {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * A KServe V2 infer request as JSON: one FP32 input named "input" at the target's shape, to which {@code input}
     * adds its data or parameters, and then {@code rest}, the fields after "inputs".
     */
    private static ByteArrayOutputStream v2Body(
            int sizeHint, ModelTarget target, int images, JsonPart input, JsonPart rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("inputs");
            g.writeStartObject();
            g.writeStringField("name", "input");
            int[] shape = shape(target, images);
            g.writeFieldName("shape");
            g.writeArray(shape, 0, shape.length);
            g.writeStringField("datatype", "FP32");
            input.write(g);
            g.writeEndObject();
            g.writeEndArray();
            rest.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String imageType(byte[] image) {
        try {
            return ImageDecoder.mediaType(image);
        } catch (VecnnException e) {
            throw new VecnnException("--image must be a JPEG or PNG file: " + e.getMessage());
        }
    }
}
