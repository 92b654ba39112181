package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.image.ImageDecoder;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abuse that used to disable a model, at CI size and on a small heap (the build runs this class alone in
 * 256 MiB): every batch size from 1 to 24 (more than the batcher's largest), twelve concurrent uploads, more
 * than the decode budget lets through at once and larger than it, and a sliver of an image.
 * Every request gets a status, the workspaces kept stay those of the prepared batch sizes, readiness stays true,
 * and a known request afterwards gets the same logits as before.
 */
@Timeout(180)
class ServerAbuseTest {
    private static final long MIB = 1 << 20;

    private static byte[] v2Json(float[] x, int batch) {
        StringBuilder data = new StringBuilder();
        for (float v : x) {
            data.append(data.length() == 0 ? "" : ",").append(v);
        }
        return ("{\"inputs\":[{\"name\":\"input\",\"shape\":[" + batch + ",3,32,32],\"datatype\":\"FP32\",\"data\":["
                        + data + "]}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] jpeg(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y += 3) {
            image.setRGB(y % width, y, 0x3366cc);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    @Test
    void everyRequestGetsAStatusAndTheModelKeepsAnsweringRight() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        // The server's own defaults, from this JVM's heap: the build runs this test in a 256 MiB heap, where
        // eight 2000x1500 JPEGs decoded at once (27 MiB each) would not fit beside the rest.
        ImageLimits limits = ImageLimits.defaults();
        ServerConfig config = ServerConfig.defaults()
                .withBatching(new BatchingConfig(8, Duration.ofMillis(1), 64, 1))
                .withWarmup(Duration.ZERO);
        // The oracle is a second copy of the model: running the served one at every batch size would fill its pool.
        try (Model model = Model.of(SmallNets.tiny(22), pool);
                Model oracle = Model.of(SmallNets.tiny(22), pool);
                ServerFixture f = new ServerFixture(config, Map.of("tiny", model))) {
            float[] known = RandomTensors.gaussian(new Random(1), 3 * 32 * 32, 1);
            float[] before =
                    ServerFixture.logits(f.post("/v2/models/tiny/infer", "application/json", v2Json(known, 1)));
            assertArrayEquals(oracle.run(known, 1), before, 1e-5f);

            for (int batch = 1; batch <= 24; batch++) {
                float[] x = RandomTensors.gaussian(new Random(batch), batch * 3 * 32 * 32, 1);
                HttpResponse<byte[]> r = f.post("/v2/models/tiny/infer", "application/json", v2Json(x, batch));
                assertArrayEquals(oracle.run(x, batch), ServerFixture.logits(r), 1e-5f, "batch " + batch);
            }
            long prepared = 0;
            for (int b : DynamicBatcher.batchSizes(8)) {
                prepared += model.workspaceBytes(b);
            }
            long idle = model.idleWorkspaceBytes();
            assertTrue(idle <= prepared, idle + " bytes of idle workspaces, the prepared sizes take " + prepared);

            byte[] big = jpeg(2000, 1500);
            byte[] huge = jpeg(4000, 3000);
            byte[] sliver = jpeg(2000, 10);
            boolean hugeFits = ImageDecoder.header(huge).decodeBytes() <= limits.decodeBudgetBytes();
            ExecutorService clients = Executors.newFixedThreadPool(12);
            List<Future<HttpResponse<byte[]>>> uploads = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] body = i % 4 == 3 ? huge : i == 5 ? sliver : big;
                uploads.add(clients.submit(() -> f.post("/v1/models/tiny:predict", "image/jpeg", body)));
            }
            int ok = 0;
            for (int i = 0; i < uploads.size(); i++) {
                HttpResponse<byte[]> r = uploads.get(i).get(120, TimeUnit.SECONDS);
                String body = new String(r.body(), StandardCharsets.UTF_8);
                int status = r.statusCode();
                if (i == 5) {
                    assertEquals(422, status, body);
                } else if (i % 4 == 3 && !hugeFits) {
                    assertEquals(413, status, body);
                    assertTrue(body.contains("more than this server's whole decode budget"), body);
                } else {
                    assertTrue(status == 200 || status == 503, "upload " + i + ": " + status + " " + body);
                    if (status == 503) {
                        assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), body);
                    } else {
                        ok++;
                    }
                }
            }
            clients.shutdown();
            assertTrue(ok >= 1, "none of the decodable uploads was answered 200");
            assertEquals(200, f.get("/v2/health/ready").statusCode());
            assertEquals(200, f.get("/v2/health/live").statusCode());
            float[] after = ServerFixture.logits(f.post("/v2/models/tiny/infer", "application/json", v2Json(known, 1)));
            assertArrayEquals(before, after);
            assertFalse(
                    ServerFixture.json(f.get("/v1/models")).isMissingNode(),
                    "the server still answers after the uploads");
        }
    }
}
