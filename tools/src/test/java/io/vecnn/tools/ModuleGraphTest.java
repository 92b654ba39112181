package io.vecnn.tools;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module graph the README promises: the runtime needs only the JDK and Jackson, the server adds gRPC, the runtime
 * shows applications only its API, and the tools (which run {@code vecnn serve}) never reach the peer engines or Spark.
 */
class ModuleGraphTest {
    /** The peer engines and Spark: only the launcher's bench, loadtest and score commands have them. */
    private static final List<String> PEERS =
            List.of("onnxruntime", "djl", "pytorch", "vecnn-bench", "spark-", "vecnn-spark", "scala-library");

    @Test
    void runtimeRequiresOnlyTheJdkAndJacksonAndExportsOnlyItsApiToEveryone() throws IOException {
        ModuleDescriptor runtime = descriptor("runtime");
        assertEquals("io.vecnn", runtime.name());
        assertRequiresOnly(runtime, name -> false);
        Set<String> unqualified = runtime.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("io.vecnn", "io.vecnn.image"), unqualified);
        Set<String> internalTargets = runtime.exports().stream()
                .filter(ModuleDescriptor.Exports::isQualified)
                .flatMap(e -> e.targets().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                Set.of("io.vecnn.serve", "io.vecnn.converter", "io.vecnn.tools", "io.vecnn.bench"), internalTargets);
    }

    @Test
    void serveRequiresOnlyTheRuntimeTheJdkJacksonAndGrpc() throws IOException {
        ModuleDescriptor serve = descriptor("serve");
        assertEquals("io.vecnn.serve", serve.name());
        // gRPC (the KServe V2 gRPC endpoint) and what it and its generated stubs need: protobuf and Guava.
        Set<String> grpc = Set.of(
                "io.grpc",
                "io.grpc.stub",
                "io.grpc.protobuf",
                "com.google.protobuf",
                "com.google.common",
                "com.google.common.util.concurrent.internal");
        assertRequiresOnly(serve, name -> name.equals("io.vecnn") || grpc.contains(name));
        assertEquals(
                Set.of("io.vecnn.serve"),
                serve.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void theToolsClassPathHoldsNoPeerEngine() throws IOException {
        // target/classpath.txt is what the launcher runs every command but bench, loadtest and score with.
        assertNoPeer(Files.readString(Path.of("target/classpath.txt")), "tools' class path");
        assertNoPeer(System.getProperty("java.class.path"), "tools' test class path");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.onnxruntime.OrtEnvironment"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.engine.Engine"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.sql.SparkSession"));
    }

    /** {@code module} requires only JDK modules, Jackson, and what {@code alsoAllowed} accepts. */
    private static void assertRequiresOnly(ModuleDescriptor module, Predicate<String> alsoAllowed) {
        for (ModuleDescriptor.Requires r : module.requires()) {
            String name = r.name();
            assertTrue(
                    name.startsWith("java.")
                            || name.startsWith("jdk.")
                            || name.startsWith("com.fasterxml.jackson.")
                            || alsoAllowed.test(name),
                    module.name() + " requires " + name);
        }
    }

    /** No jar of {@code classPath} is a peer engine's or Spark's. */
    private static void assertNoPeer(String classPath, String what) {
        for (String jar : classPath.split(File.pathSeparator)) {
            for (String peer : PEERS) {
                assertTrue(!Path.of(jar).getFileName().toString().contains(peer), what + " holds " + jar);
            }
        }
    }

    /** The compiled module-info of a sibling module (tests run in tools/). */
    private static ModuleDescriptor descriptor(String module) throws IOException {
        Path info = Path.of("..", module, "target", "classes", "module-info.class");
        assertTrue(Files.isRegularFile(info), info + " is missing: build " + module + " first");
        try (InputStream in = Files.newInputStream(info)) {
            return ModuleDescriptor.read(in);
        }
    }
}
