package io.vecnn.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vecnn.Model;
import io.vecnn.serve.grpc.GRPCInferenceServiceGrpc;
import io.vecnn.serve.grpc.ModelInferRequest;
import io.vecnn.serve.grpc.ModelInferResponse;
import io.vecnn.serve.grpc.ServerLiveRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The container's contents without Docker: {@code deploy/jlink-image.sh} (what the Dockerfile runs) builds the
 * jlinked runtime and layout with the JDK running the tests, and {@code bin/vecnn serve} (the image's
 * entrypoint) runs from it as a process of its own. A V2 request must get the logits {@link Model#run} gives in
 * this JVM, the probes must answer, and SIGTERM must drain and end the process.
 */
class DeployImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+) ");
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    private static final int DRAIN_SECONDS = 3;

    @TempDir
    static Path dir;

    static Path image;
    static Path model;

    @BeforeAll
    static void buildImage() throws IOException, InterruptedException {
        Path jlink = JAVA_HOME.resolve("bin").resolve("jlink");
        assumeTrue(Files.isExecutable(jlink), "skipped: no jlink in " + JAVA_HOME + "; the image test needs a JDK");
        boolean jmods = Files.isDirectory(JAVA_HOME.resolve("jmods"));
        assumeTrue(
                jmods || run(List.of(jlink.toString(), "--help")).contains("Linking from run-time image enabled"),
                "skipped: " + JAVA_HOME + " has neither jmods nor a run-time image jlink can link from");
        image = dir.resolve("image");
        String classPath =
                Files.readString(Path.of("target", "image-classpath.txt")).trim();
        String log = run(List.of(
                "bash",
                Path.of("jlink-image.sh").toString(),
                "--jdk",
                JAVA_HOME.toString(),
                "--out",
                image.toString(),
                "--classpath",
                classPath));
        System.out.println(log.strip());
        model = LeNetModel.write(dir);
    }

    @Test
    void theImageServesV2LogitsEqualToModelRunAndDrainsOnSigterm() throws Exception {
        float[] input = input(11);
        Path tuning = dir.resolve("tuning.json");
        float[] expected = logitsTunedInto(tuning, input);

        Path out = dir.resolve("serve.out");
        Path err = dir.resolve("serve.err");
        Process server = serve(tuning, out, err, "--warmup-seconds", "1");
        try {
            URI base = URI.create(awaitListening(server, out, err));
            assertTrue(Http.awaitOk(base.resolve("/v2/health/ready"), Duration.ofSeconds(60)), log(out, err));
            assertEquals(
                    "{\"ready\":true}",
                    Http.get(base.resolve("/v2/health/ready")).body());
            HttpResponse<String> live = Http.get(base.resolve("/v2/health/live"));
            assertEquals(200, live.statusCode());
            assertEquals("{\"live\":true}", live.body());

            HttpResponse<String> infer =
                    Http.post(base.resolve("/v2/models/lenet5/infer"), "application/json", inferRequest(input));
            assertEquals(200, infer.statusCode(), infer.body());
            JsonNode output = JSON.readTree(infer.body()).get("outputs").get(0);
            assertEquals("output", output.get("name").asText());
            assertEquals(
                    List.of(1, 10),
                    List.of(
                            output.get("shape").get(0).asInt(),
                            output.get("shape").get(1).asInt()));
            assertArrayEquals(expected, floats(output.get("data")), "the image's logits against Model.run's");

            // An image request decodes the PNG with java.desktop's ImageIO: the jlinked runtime must hold it.
            HttpResponse<String> png = Http.post(base.resolve("/v1/models/lenet5:predict?top=3"), "image/png", png());
            assertEquals(200, png.statusCode(), png.body());
            assertEquals(3, JSON.readTree(png.body()).get("predictions").get(0).size());
        } finally {
            server.destroy(); // SIGTERM, what Kubernetes sends first
        }
        String stderr = awaitExitOnSigterm(server, out, err);
        assertTrue(stderr.contains("vecnn serve: draining requests in flight (up to " + DRAIN_SECONDS + " s)"), stderr);
    }

    /**
     * jdeps reads nothing of the gRPC transport's needs (grpc-netty-shaded's only module descriptor is a stray
     * one), so the jlinked runtime is checked by serving gRPC from it.
     */
    @Test
    void theImageServesGrpcLogitsEqualToModelRun() throws Exception {
        float[] input = input(12);
        Path tuning = dir.resolve("tuning-grpc.json");
        float[] expected = logitsTunedInto(tuning, input);
        Path out = dir.resolve("grpc.out");
        Path err = dir.resolve("grpc.err");
        Process server = serve(tuning, out, err, "--grpc-port", "0", "--warmup-seconds", "0");
        try {
            awaitListening(server, out, err);
            Matcher grpc =
                    Pattern.compile("GRPCInferenceService\\) on \\S+:(\\d+)").matcher(Files.readString(out));
            assertTrue(grpc.find(), log(out, err));
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(1)))
                    .usePlaintext()
                    .build();
            try {
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                assertTrue(
                        stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
                ByteBuffer raw = ByteBuffer.allocate(input.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                raw.asFloatBuffer().put(input);
                ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder()
                        .setModelName("lenet5")
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                                .setName("input")
                                .setDatatype("FP32")
                                .addAllShape(List.of(1L, 3L, 32L, 32L)))
                        .addRawInputContents(ByteString.copyFrom(raw.array()))
                        .build());
                assertEquals(List.of(1L, 10L), response.getOutputs(0).getShapeList());
                float[] logits = new float[10];
                response.getRawOutputContents(0)
                        .asReadOnlyByteBuffer()
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(logits);
                assertArrayEquals(expected, logits, "the image's gRPC logits against Model.run's");
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            server.destroy();
        }
        awaitExitOnSigterm(server, out, err);
    }

    @Test
    void theRuntimeHoldsOnlyTheModulesTheServerNeedsAndIsSmallerThanTheJdk() throws IOException {
        Set<String> modules = Set.of(release(image.resolve("jre")).split(" "));
        assertTrue(
                modules.containsAll(Set.of("java.base", "jdk.incubator.vector", "jdk.httpserver")), modules.toString());
        for (String unused : List.of("java.sql", "jdk.compiler", "jdk.jshell", "java.net.http")) {
            assertFalse(modules.contains(unused), unused + " is in the image: " + modules);
        }
        long runtime = bytes(image.resolve("jre"));
        long jars = bytes(image.resolve("lib"));
        long jdk = bytes(JAVA_HOME);
        System.out.printf(
                "image size: jlinked runtime %.1f MB (%d modules) + application jars %.1f MB; full JDK %s %.1f MB%n",
                runtime / 1e6, modules.size(), jars / 1e6, Runtime.version(), jdk / 1e6);
        assertTrue(
                runtime < jdk / 2, "the jlinked runtime is not much smaller than the JDK: " + runtime + " vs " + jdk);
    }

    private static float[] input(long seed) {
        float[] input = new float[3 * 32 * 32];
        Random random = new Random(seed);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        return input;
    }

    /**
     * The model's logits for {@code input}, computed in this JVM with {@code tuning} as the tuning cache: the
     * server started on that cache then runs the same kernels, since this JVM tuned and wrote it first.
     */
    private static float[] logitsTunedInto(Path tuning, float[] input) {
        String previous = System.setProperty("vecnn.tuning.cache", tuning.toString());
        try (Model m = Model.load(model, 1)) {
            return m.run(input, 1);
        } finally {
            if (previous == null) {
                System.clearProperty("vecnn.tuning.cache");
            } else {
                System.setProperty("vecnn.tuning.cache", previous);
            }
        }
    }

    private static byte[] inferRequest(float[] input) throws IOException {
        ObjectNode request = JSON.createObjectNode();
        request.put("id", "deploy-test");
        ObjectNode tensor = request.putArray("inputs").addObject();
        tensor.put("name", "input");
        tensor.putArray("shape").add(1).add(3).add(32).add(32);
        tensor.put("datatype", "FP32");
        ArrayNode data = tensor.putArray("data");
        for (float v : input) {
            data.add(v);
        }
        return JSON.writeValueAsBytes(request);
    }

    private static byte[] png() throws IOException {
        BufferedImage picture = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                picture.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | 90);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", bytes);
        return bytes.toByteArray();
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).floatValue();
        }
        return v;
    }

    /**
     * Starts the image's {@code vecnn serve} of the LeNet model on a free port, one thread, with {@code options}
     * besides, {@code tuning} as its tuning cache and its output written to {@code out} and {@code err}.
     */
    private static Process serve(Path tuning, Path out, Path err, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                image.resolve("bin").resolve("vecnn").toString(),
                "serve",
                "--model",
                "lenet5=" + model,
                "--port",
                "0",
                "--threads",
                "1",
                "--drain-s",
                String.valueOf(DRAIN_SECONDS)));
        command.addAll(List.of(options));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("VECNN_TUNING_CACHE", tuning.toString());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        return builder.start();
    }

    /** Waits for the server sent SIGTERM to drain and end as SIGTERM asks, without an exception; its stderr. */
    private static String awaitExitOnSigterm(Process server, Path out, Path err)
            throws IOException, InterruptedException {
        assertTrue(server.waitFor(DRAIN_SECONDS + 20, TimeUnit.SECONDS), "no exit after SIGTERM\n" + log(out, err));
        // 128 + 15: the JVM ran its shutdown hook (the drain) and ended as SIGTERM asks.
        assertEquals(143, server.exitValue(), log(out, err));
        String stderr = Files.readString(err);
        assertFalse(stderr.contains("Exception"), stderr);
        return stderr;
    }

    /** The server's URI, from the line {@code vecnn serve} prints once bound (it was given port 0). */
    private static String awaitListening(Process server, Path out, Path err) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && server.isAlive()) {
            Matcher m = LISTENING.matcher(Files.readString(out));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server never said where it listens\n" + log(out, err));
    }

    private static String log(Path out, Path err) throws IOException {
        return "stdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err);
    }

    /** The MODULES line of a runtime's {@code release} file. */
    private static String release(Path runtime) throws IOException {
        for (String line : Files.readAllLines(runtime.resolve("release"))) {
            if (line.startsWith("MODULES=")) {
                return line.substring("MODULES=".length()).replace("\"", "");
            }
        }
        throw new AssertionError(runtime + "/release names no modules");
    }

    private static long bytes(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    /** Runs a command to its end and returns its output; fails the test on a non-zero exit. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + command);
        assertEquals(0, p.exitValue(), command + "\n" + output);
        return output;
    }
}
