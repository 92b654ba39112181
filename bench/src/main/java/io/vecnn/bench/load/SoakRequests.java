package io.vecnn.bench.load;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The mix a soak sends, one cycle of twenty requests per client: mostly valid inferences (one image, and a batch
 * of four), and the abuse a server must answer without being hurt by it: malformed JSON, a wrong content type,
 * an image whose header claims 400 megapixels, an unknown model. Each kind names the statuses a healthy server
 * answers it with; anything else is unexpected, and no answer at all is a lost request.
 */
final class SoakRequests {
    /** One kind of request, and the statuses that are right for it. */
    record Kind(String name, HttpRequest request, Set<Integer> expected) {}

    private SoakRequests() {}

    static List<Kind> cycle(ModelTarget target, byte[] image, Duration timeout) {
        Kind one = new Kind("infer_1", LoadRequests.build(target, Payload.V2_BINARY, 1, null, timeout), Set.of(200));
        Kind four = new Kind("infer_4", LoadRequests.build(target, Payload.V2_BINARY, 4, null, timeout), Set.of(200));
        List<Kind> cycle = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            cycle.add(one);
        }
        cycle.add(four);
        cycle.add(four);
        cycle.add(new Kind(
                "bad_json",
                post(
                        target.resolve("/v2/models/" + target.model() + "/infer"),
                        "application/json",
                        "{\"inputs\":[{",
                        timeout),
                Set.of(400)));
        cycle.add(new Kind(
                "wrong_type",
                post(target.resolve("/v1/models/" + target.model() + ":predict"), "text/plain", "hello", timeout),
                Set.of(415)));
        cycle.add(new Kind(
                "huge_image",
                HttpRequest.newBuilder(target.resolve("/v1/models/" + target.model() + ":predict"))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(pngClaiming(20_000, 20_000)))
                        .timeout(timeout)
                        .build(),
                Set.of(413)));
        cycle.add(
                image == null
                        ? one
                        : new Kind(
                                "image",
                                LoadRequests.build(target, Payload.IMAGE, 1, image, timeout),
                                // A full decode budget answers 503 with Retry-After: right, not a failure.
                                Set.of(200, 503)));
        cycle.add(new Kind(
                "unknown_model",
                post(target.resolve("/v2/models/no-such-model/infer"), "application/json", "{}", timeout),
                Set.of(404)));
        return cycle;
    }

    private static HttpRequest post(java.net.URI uri, String type, String body, Duration timeout) {
        return HttpRequest.newBuilder(uri)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .timeout(timeout)
                .build();
    }

    /**
     * A PNG of a few dozen bytes whose header says {@code width}×{@code height} RGB: a server must refuse it from
     * the header, before allocating the gigabytes its pixels would take.
     */
    static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13)
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2);
        chunk(png, "IHDR", ihdr.put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
