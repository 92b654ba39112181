package io.vecnn.serve;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vecnn.Model;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.serve.grpc.GRPCInferenceServiceGrpc;
import io.vecnn.serve.grpc.ModelInferResponse;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as a JPMS module: {@code io.vecnn.serve} and its dependencies on the module path (gRPC, protobuf
 * and Guava as automatic modules), only grpc-netty-shaded on the class path beside an application in the
 * unnamed module, as docs/serving.md says. The application serves a model over gRPC; this test calls it.
 */
class GrpcModulePathTest {
    private static final String APP = """
            import io.vecnn.Model;
            import io.vecnn.serve.InferenceServer;
            import io.vecnn.serve.ServerConfig;
            import java.nio.file.Path;
            import java.time.Duration;
            import java.util.Map;

            public class App {
                public static void main(String[] args) throws Exception {
                    try (Model model = Model.load(Path.of(args[0]));
                            InferenceServer server = InferenceServer.start(
                                    ServerConfig.defaults().withPort(0).withWarmup(Duration.ZERO),
                                    Map.of("tiny", model))) {
                        server.serveGrpc(0);
                        System.out.println(InferenceServer.class.getModule() + " grpc " + server.grpcPort().getAsInt());
                        System.in.read(); // until the test closes stdin
                    }
                }
            }
            """;

    @Test
    void theServeModuleServesGrpcFromTheModulePath(@TempDir Path dir) throws Exception {
        List<String> modulePath = new ArrayList<>();
        String netty = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("grpc-netty-shaded")) {
                netty = entry;
            } else if (entry.endsWith("runtime" + File.separator + "target" + File.separator + "classes")
                    // Under `mvn verify` the reactor hands over the runtime as its jar (not its test-jar).
                    || name.startsWith("vecnn-runtime-") && name.endsWith(".jar") && !name.endsWith("-tests.jar")
                    || name.endsWith(".jar")
                            && List.of(
                                            "jackson",
                                            "grpc-",
                                            "protobuf-java",
                                            "guava",
                                            "failureaccess",
                                            "perfmark",
                                            "gson")
                                    .stream()
                                    .anyMatch(name::startsWith)) {
                modulePath.add(entry);
            }
        }
        modulePath.add(Path.of("target/classes").toAbsolutePath().toString());
        assertTrue(netty != null, "grpc-netty-shaded is on the test class path");
        String mp = String.join(File.pathSeparator, modulePath);

        Path source = dir.resolve("App.java");
        Files.writeString(source, APP);
        Path classes = dir.resolve("classes");
        String bin = System.getProperty("java.home") + "/bin/";
        Process javac = new ProcessBuilder(
                        bin + "javac",
                        "--module-path",
                        mp,
                        "--add-modules",
                        "io.vecnn.serve",
                        "-d",
                        classes.toString(),
                        source.toString())
                .redirectErrorStream(true)
                .start();
        String compiled = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, javac.exitValue(), compiled);

        ModelFile file = SmallNets.tiny(7);
        Path modelPath = dir.resolve("tiny.vnn");
        file.write(modelPath);
        Path log = dir.resolve("app.err");
        Process app = new ProcessBuilder(
                        bin + "java",
                        "--add-modules",
                        "jdk.incubator.vector",
                        "--module-path",
                        mp,
                        "--add-modules",
                        "io.vecnn.serve",
                        "-cp",
                        classes + File.pathSeparator + netty,
                        "App",
                        modelPath.toString())
                .redirectError(log.toFile())
                .start();
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = Model.of(file, pool)) {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("module io.vecnn.serve grpc "), line + "\n" + stderr(log));
            int port = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .build();
            try {
                float[] x = RandomTensors.gaussian(new Random(3), 3 * 32 * 32, 1);
                ModelInferResponse response = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .modelInfer(GrpcInferenceTest.rawRequest("tiny", x, 1, 3, 32, 32));
                assertArrayEquals(model.run(x, 1), GrpcInferenceTest.rawLogits(response));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            app.getOutputStream().close();
            assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the application did not stop\n" + stderr(log));
            assertEquals(0, app.exitValue(), stderr(log));
        } finally {
            app.destroyForcibly();
            pool.shutdown();
        }
    }

    private static String stderr(Path log) throws IOException {
        return Arrays.stream(Files.readString(log).split("\n"))
                .filter(l -> !l.startsWith("WARNING"))
                .reduce("", (a, b) -> a + b + "\n");
    }
}
