package io.vecnn.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecnn.serve.InferenceServer;
import io.vecnn.serve.ModelSource;
import io.vecnn.serve.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests and the Dockerfile against the server they deploy: container arguments parsed by the real
 * {@code vecnn} command line, probe paths asked of a running {@link InferenceServer}, the grace period against
 * the drain the arguments set, the heap share against the memory limit, and the JVM flags run by a real JVM.
 */
class DeployManifestsTest {
    /** Off-heap room a server needs beside its heap: thread stacks, metaspace, code cache, NIO buffers. */
    private static final long OFF_HEAP = 256L << 20;

    private static final Pattern RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

    @TempDir
    static Path dir;

    static InferenceServer server;
    static JsonNode deployment;
    static JsonNode isvc;
    static JsonNode runtimeIsvc;
    static JsonNode servingRuntime;

    @BeforeAll
    static void start() throws IOException {
        Path model = LeNetModel.write(dir);
        server = InferenceServer.startFromFiles(
                ServerConfig.defaults().withPort(0).withWarmup(Duration.ZERO), Map.of("m", ModelSource.of(model)));
        deployment = Manifests.read("k8s/deployment.yaml");
        isvc = Manifests.read("kserve/inferenceservice.yaml");
        runtimeIsvc = Manifests.read("kserve/inferenceservice-runtime.yaml");
        servingRuntime = Manifests.read("kserve/servingruntime.yaml");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDeploymentRunsTheServerItProbesAndDrainsWithinTheGracePeriod() throws Exception {
        assertEquals("Deployment", deployment.path("kind").asText());
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        checkServerContainer(pod, container);
        String modelDir = mountPath(container, "models");
        for (String file : ServeArgs.parse(args(container)).modelFiles()) {
            assertTrue(file.startsWith(modelDir + "/"), file + " is not on the models volume " + modelDir);
        }
        assertTrue(mount(container, "models").path("readOnly").asBoolean(), "the server never writes its models");
        assertTrue(
                container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        // The JVM's perf data and the tuning cache (VECNN_TUNING_CACHE in the Dockerfile) go to /tmp.
        assertEquals("/tmp", mountPath(container, "tmp"), "a read-only root needs a writable /tmp");
    }

    @Test
    void theServiceAndTheAutoscalerTargetTheDeployment() throws IOException {
        JsonNode service = Manifests.read("k8s/service.yaml");
        JsonNode hpa = Manifests.read("k8s/hpa.yaml");
        JsonNode template = deployment.path("spec").path("template");
        JsonNode container = template.path("spec").path("containers").get(0);
        service.path("spec")
                .path("selector")
                .fields()
                .forEachRemaining(label -> assertEquals(
                        label.getValue().asText(),
                        template.path("metadata")
                                .path("labels")
                                .path(label.getKey())
                                .asText(),
                        "the Service selects pods by " + label.getKey()));
        // The Service exposes exactly the server's ports: HTTP, and gRPC when the container serves it.
        ServeArgs serve = ServeArgs.parse(args(container));
        List<Integer> served = new ArrayList<>(List.of(serve.port()));
        if (serve.grpcPort() != null) {
            served.add(serve.grpcPort());
        }
        List<Integer> targets = new ArrayList<>();
        for (JsonNode servicePort : service.path("spec").path("ports")) {
            targets.add(containerPort(container, servicePort.path("targetPort")));
        }
        assertEquals(served, targets, "the Service's targetPorts");
        JsonNode target = hpa.path("spec").path("scaleTargetRef");
        assertEquals(deployment.path("kind").asText(), target.path("kind").asText());
        assertEquals(
                deployment.path("metadata").path("name").asText(),
                target.path("name").asText());
        assertEquals(
                "cpu",
                hpa.path("spec")
                        .path("metrics")
                        .get(0)
                        .path("resource")
                        .path("name")
                        .asText());
        // Utilization is a share of the request: without a CPU request the autoscaler has nothing to divide by.
        assertTrue(Manifests.cores(
                        container.path("resources").path("requests").path("cpu").asText())
                > 0);
        assertTrue(hpa.path("spec").path("minReplicas").asInt() >= 1);
        assertTrue(hpa.path("spec").path("maxReplicas").asInt()
                >= hpa.path("spec").path("minReplicas").asInt());
    }

    @Test
    void kserveRunsTheSameContainerAsACustomV2Predictor() throws Exception {
        assertEquals("serving.kserve.io/v1beta1", isvc.path("apiVersion").asText());
        assertEquals("InferenceService", isvc.path("kind").asText());
        // Only a raw deployment takes the pod's grace period; Knative sets its own.
        assertEquals(
                "RawDeployment",
                isvc.path("metadata")
                        .path("annotations")
                        .path("serving.kserve.io/deploymentMode")
                        .asText());
        JsonNode predictor = isvc.path("spec").path("predictor");
        JsonNode container = predictor.path("containers").get(0);
        assertEquals("kserve-container", container.path("name").asText());
        assertEquals("v2", Manifests.env(container, "PROTOCOL"), "KServe's protocol version of a custom predictor");
        checkServerContainer(predictor, container);
        assertNotNull(Manifests.env(container, "STORAGE_URI"));
        for (String file : ServeArgs.parse(args(container)).modelFiles()) {
            assertTrue(file.startsWith("/mnt/models/"), file + " is not where KServe's storage initializer puts it");
        }

        JsonNode plain = deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        assertEquals(plain.path("image"), container.path("image"));
        assertEquals(plain.path("resources"), container.path("resources"));
        assertEquals(Manifests.env(plain, "JDK_JAVA_OPTIONS"), Manifests.env(container, "JDK_JAVA_OPTIONS"));
        ServeArgs k = ServeArgs.parse(args(container));
        ServeArgs d = ServeArgs.parse(args(plain));
        assertEquals(d.port(), k.port());
        assertEquals(d.drainSeconds(), k.drainSeconds());
        assertEquals(d.threads(), k.threads());
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals(
                    plain.path(probe).path("httpGet").path("path"),
                    container.path(probe).path("httpGet").path("path"),
                    probe);
        }
    }

    @Test
    void kserveModelFormRunsTheVecnnRuntimeWithProtocolV2AndTheSameServer() throws Exception {
        assertEquals("ServingRuntime", servingRuntime.path("kind").asText());
        assertEquals("InferenceService", runtimeIsvc.path("kind").asText());
        JsonNode predictor = runtimeIsvc.path("spec").path("predictor");
        JsonNode model = predictor.path("model");
        assertEquals("v2", model.path("protocolVersion").asText());
        assertEquals(
                servingRuntime.path("metadata").path("name").asText(),
                model.path("runtime").asText());
        JsonNode runtime = servingRuntime.path("spec");
        List<String> formats = new ArrayList<>();
        runtime.path("supportedModelFormats")
                .forEach(f -> formats.add(f.path("name").asText()));
        assertTrue(formats.contains(model.path("modelFormat").path("name").asText()), "format " + formats);
        List<String> protocols = new ArrayList<>();
        runtime.path("protocolVersions").forEach(p -> protocols.add(p.asText()));
        assertTrue(protocols.contains("v2"), "protocols " + protocols);

        // KServe replaces {{.Name}} with the InferenceService's name before the container starts.
        String name = runtimeIsvc.path("metadata").path("name").asText();
        JsonNode container = runtime.path("containers").get(0);
        List<String> expanded = new ArrayList<>();
        for (String a : args(container)) {
            expanded.add(a.replace("{{.Name}}", name));
        }
        ServeArgs serve = ServeArgs.parse(expanded);
        for (String file : serve.modelFiles()) {
            assertTrue(file.startsWith("/mnt/models/"), file + " is not where KServe's storage initializer puts it");
        }
        checkServerContainer(predictor, container);
        assertEquals(
                runtimeIsvc.path("metadata").path("annotations"),
                isvc.path("metadata").path("annotations"));

        JsonNode custom = isvc.path("spec").path("predictor").path("containers").get(0);
        ServeArgs c = ServeArgs.parse(args(custom));
        assertEquals(c.port(), serve.port());
        assertEquals(c.drainSeconds(), serve.drainSeconds());
        assertEquals(c.threads(), serve.threads());
        assertEquals(custom.path("image"), container.path("image"));
        assertEquals(custom.path("resources"), container.path("resources"));
    }

    @Test
    void theDockerfileRunsTheLayoutTheScriptWritesAsTheUserTheManifestsExpect() throws IOException {
        DockerfileText docker = new DockerfileText(Path.of("Dockerfile"));
        String layout = docker.runOption("--out");
        assertEquals(List.of(layout + "/bin/vecnn"), docker.execForm("ENTRYPOINT"));
        ServeArgs cmd = ServeArgs.parse(docker.execForm("CMD"));
        assertEquals("serve", cmd.command());
        assertEquals("0.0.0.0", cmd.host());
        assertEquals(String.valueOf(cmd.port()), docker.last("EXPOSE"));
        String user = docker.last("USER");
        for (JsonNode pod : List.of(
                deployment.path("spec").path("template").path("spec"),
                isvc.path("spec").path("predictor"))) {
            assertEquals(user, pod.path("securityContext").path("runAsUser").asText());
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        }
        assertTrue(!user.equals("0") && user.matches("\\d+"), "a numeric non-root user, so runAsNonRoot can check it");
    }

    /** What a container running `vecnn serve` must agree on with the server and with its pod. */
    private static void checkServerContainer(JsonNode pod, JsonNode container) throws Exception {
        ServeArgs serve = ServeArgs.parse(args(container));
        assertEquals("serve", serve.command());
        assertEquals("0.0.0.0", serve.host(), "loopback, the default, is unreachable from outside the pod");
        assertEquals(
                serve.port(),
                container.path("ports").get(0).path("containerPort").asInt());
        if (serve.grpcPort() != null) {
            assertEquals(
                    serve.grpcPort(),
                    containerPort(container, new com.fasterxml.jackson.databind.node.TextNode("grpc")));
        }

        assertProbe(container, "startupProbe", serve.port(), "live");
        assertProbe(container, "livenessProbe", serve.port(), "live");
        assertProbe(container, "readinessProbe", serve.port(), "ready");

        long preStop = preStopSleepSeconds(container);
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(
                grace > preStop + serve.drainSeconds(),
                "terminationGracePeriodSeconds " + grace + " must exceed the preStop sleep (" + preStop
                        + " s) plus --drain-s " + serve.drainSeconds());

        JsonNode resources = container.path("resources");
        long limit = Manifests.bytes(resources.path("limits").path("memory").asText());
        assertEquals(
                limit, Manifests.bytes(resources.path("requests").path("memory").asText()), "memory request");
        String javaOptions = Manifests.env(container, "JDK_JAVA_OPTIONS");
        double percentage = ramPercentage(javaOptions);
        assertEquals(ramPercentage(bakedJvmFlags()), percentage, "the manifest restates the image's heap share");
        long heap = (long) (limit * percentage / 100);
        assertTrue(limit - heap >= OFF_HEAP, "heap " + heap + " of limit " + limit + " leaves too little off-heap");
        double cpus = Manifests.cores(resources.path("limits").path("cpu").asText());
        assertTrue(serve.threads() != null && serve.threads() <= cpus, "more intra-op threads than CPUs");

        List<String> flags = new ArrayList<>(Arrays.asList(bakedJvmFlags().split(" ")));
        flags.addAll(Arrays.asList(javaOptions.split(" ")));
        assertJvmAccepts(flags);
    }

    /** The probe asks the right port, and its path answers 200 with {@code {"<key>": true}} on a real server. */
    private static void assertProbe(JsonNode container, String probe, int port, String key) throws Exception {
        JsonNode get = container.path(probe).path("httpGet");
        assertTrue(get.has("path"), probe + " has no httpGet path");
        assertEquals(port, containerPort(container, get.path("port")), probe + "'s port");
        HttpResponse<String> answer =
                Http.get(server.uri().resolve(get.path("path").asText()));
        assertEquals(200, answer.statusCode(), probe + " " + get.path("path").asText() + ": " + answer.body());
        assertEquals("{\"" + key + "\":true}", answer.body(), probe + " must ask whether the server is " + key);
    }

    /** The container port a probe or Service names, by number or by the name of one of the container's ports. */
    private static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(port.asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("the container has no port named " + port);
    }

    private static long preStopSleepSeconds(JsonNode container) {
        JsonNode command =
                container.path("lifecycle").path("preStop").path("exec").path("command");
        if (command.isMissingNode()) {
            return 0;
        }
        assertEquals("sleep", command.get(0).asText(), "a preStop hook the drain budget does not know");
        return Long.parseLong(command.get(1).asText());
    }

    private static String mountPath(JsonNode container, String volume) {
        return mount(container, volume).path("mountPath").asText();
    }

    private static JsonNode mount(JsonNode container, String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(volume)) {
                return mount;
            }
        }
        throw new AssertionError("the container mounts no volume " + volume);
    }

    private static List<String> args(JsonNode container) {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    private static double ramPercentage(String flags) {
        assertNotNull(flags, "no JVM flags");
        Matcher m = RAM_PERCENTAGE.matcher(flags);
        assertTrue(m.find(), "no -XX:MaxRAMPercentage in " + flags);
        return Double.parseDouble(m.group(1));
    }

    /** The flags jlink-image.sh bakes into the image's runtime. */
    private static String bakedJvmFlags() throws IOException {
        Matcher m =
                Pattern.compile("(?m)^JVM_FLAGS=\"([^\"]*)\"$").matcher(Files.readString(Path.of("jlink-image.sh")));
        assertTrue(m.find(), "jlink-image.sh sets no JVM_FLAGS");
        return m.group(1);
    }

    /** A JVM of the JDK running the tests starts with {@code flags}: none is misspelt or unknown. */
    private static void assertJvmAccepts(List<String> flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, java.exitValue(), command + "\n" + output);
    }
}
