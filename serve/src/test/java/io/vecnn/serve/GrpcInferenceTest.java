package io.vecnn.serve;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.serve.grpc.GRPCInferenceServiceGrpc;
import io.vecnn.serve.grpc.InferTensorContents;
import io.vecnn.serve.grpc.ModelInferRequest;
import io.vecnn.serve.grpc.ModelInferResponse;
import io.vecnn.serve.grpc.ModelMetadataRequest;
import io.vecnn.serve.grpc.ModelMetadataResponse;
import io.vecnn.serve.grpc.ModelReadyRequest;
import io.vecnn.serve.grpc.ServerLiveRequest;
import io.vecnn.serve.grpc.ServerMetadataRequest;
import io.vecnn.serve.grpc.ServerReadyRequest;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Open Inference Protocol's gRPC service, driven through the generated blocking stub over a real channel
 * to a real server: health, metadata, inference with raw and typed tensors, error statuses, metrics, drain.
 */
class GrpcInferenceTest {
    private static ForkJoinPool pool;
    private static Model model;
    private static ServerFixture fixture;
    private static ManagedChannel channel;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeAll
    static void start() {
        pool = new ForkJoinPool(2);
        model = Model.of(SmallNets.tiny(7), pool);
        fixture =
                new ServerFixture(InferenceServer.start(ServerConfig.defaults().withPort(0), Map.of("tiny", model))
                        .serveGrpc(0));
        channel = channel(fixture.server);
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
        model.close();
        pool.shutdown();
    }

    private static ManagedChannel channel(InferenceServer server) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort().orElseThrow())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    private static float[] input(int images, long seed, int values) {
        return RandomTensors.gaussian(new Random(seed), images * values, 1);
    }

    private static ModelInferRequest.InferInputTensor.Builder tensor(long... shape) {
        ModelInferRequest.InferInputTensor.Builder t =
                ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32");
        for (long d : shape) {
            t.addShape(d);
        }
        return t;
    }

    private static ByteString raw(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        return ByteString.copyFrom(b.array());
    }

    static ModelInferRequest rawRequest(String name, float[] x, long... shape) {
        return ModelInferRequest.newBuilder()
                .setModelName(name)
                .setId("42")
                .addInputs(tensor(shape))
                .addRawInputContents(raw(x))
                .build();
    }

    static float[] rawLogits(ModelInferResponse response) {
        ByteBuffer b = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static Status.Code code(Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        return e.getStatus().getCode();
    }

    @Test
    void rawInputsGiveRawOutputsEqualToTheModelsOwn() {
        float[] x = input(2, 1, 3 * 32 * 32);
        ModelInferResponse response = stub.modelInfer(rawRequest("tiny", x, 2, 3, 32, 32));
        assertEquals("tiny", response.getModelName());
        assertEquals("1", response.getModelVersion());
        assertEquals("42", response.getId());
        assertEquals(1, response.getOutputsCount());
        ModelInferResponse.InferOutputTensor out = response.getOutputs(0);
        assertEquals("output", out.getName());
        assertEquals("FP32", out.getDatatype());
        assertEquals(List.of(2L, 10L), out.getShapeList());
        assertFalse(out.hasContents(), "raw inputs are answered raw");
        assertArrayEquals(model.run(x, 2), rawLogits(response));
    }

    @Test
    void typedInputsGiveTypedOutputsEqualToTheModelsOwn() {
        float[] x = input(3, 2, 3 * 32 * 32);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float v : x) {
            contents.addFp32Contents(v);
        }
        ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder()
                .setModelName("tiny")
                .setModelVersion("1")
                .addInputs(tensor(3, 3, 32, 32).setContents(contents))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName("output"))
                .build());
        assertEquals(0, response.getRawOutputContentsCount());
        ModelInferResponse.InferOutputTensor out = response.getOutputs(0);
        assertEquals(List.of(3L, 10L), out.getShapeList());
        float[] logits = new float[out.getContents().getFp32ContentsCount()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = out.getContents().getFp32Contents(i);
        }
        assertArrayEquals(model.run(x, 3), logits);
    }

    @Test
    void anUnknownModelOrVersionIsNotFound() {
        float[] x = input(1, 3, 3 * 32 * 32);
        StatusRuntimeException e =
                assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(rawRequest("nope", x, 1, 3, 32, 32)));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("unknown model 'nope'"), e.toString());
        assertEquals(
                Status.Code.NOT_FOUND,
                code(() -> stub.modelReady(
                        ModelReadyRequest.newBuilder().setName("nope").build())));
        assertEquals(
                Status.Code.NOT_FOUND,
                code(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder()
                        .setName("tiny")
                        .setVersion("2")
                        .build())));
    }

    @Test
    void aBadTensorIsAnInvalidArgumentThatSaysWhy() {
        float[] x = input(1, 4, 3 * 32 * 32);
        StatusRuntimeException shape = assertThrows(
                StatusRuntimeException.class, () -> stub.modelInfer(rawRequest("tiny", x, 1, 3, 32, 32, 1)));
        assertEquals(Status.Code.INVALID_ARGUMENT, shape.getStatus().getCode());
        assertTrue(shape.getStatus().getDescription().contains("[1, 3, 32, 32, 1]"), shape.toString());

        StatusRuntimeException wrongModelShape =
                assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(rawRequest("tiny", x, 1, 3, 16, 64)));
        assertEquals(Status.Code.INVALID_ARGUMENT, wrongModelShape.getStatus().getCode());
        assertTrue(
                wrongModelShape.getStatus().getDescription().contains("takes [-1, 3, 32, 32]"),
                wrongModelShape.toString());

        ModelInferRequest fp16 = rawRequest("tiny", x, 1, 3, 32, 32).toBuilder()
                .setInputs(0, tensor(1, 3, 32, 32).setDatatype("FP16"))
                .build();
        StatusRuntimeException datatype = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(fp16));
        assertEquals(Status.Code.INVALID_ARGUMENT, datatype.getStatus().getCode());
        assertTrue(datatype.getStatus().getDescription().contains("FP16"), datatype.toString());

        ModelInferRequest missing = ModelInferRequest.newBuilder()
                .setModelName("tiny")
                .addInputs(tensor(1, 3, 32, 32))
                .build();
        StatusRuntimeException noData = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(missing));
        assertEquals(Status.Code.INVALID_ARGUMENT, noData.getStatus().getCode());
        assertTrue(noData.getStatus().getDescription().contains("neither"), noData.toString());

        ModelInferRequest twoRaw = rawRequest("tiny", x, 1, 3, 32, 32).toBuilder()
                .addRawInputContents(raw(x))
                .build();
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(twoRaw)));
    }

    @Test
    void healthAndMetadata() {
        assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(
                stub.modelReady(ModelReadyRequest.newBuilder().setName("tiny").build())
                        .getReady());
        var server = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertEquals("vecnn", server.getName());
        assertFalse(server.getVersion().isEmpty());
        ModelMetadataResponse meta = stub.modelMetadata(
                ModelMetadataRequest.newBuilder().setName("tiny").build());
        assertEquals("tiny", meta.getName());
        assertEquals(List.of("1"), meta.getVersionsList());
        assertEquals("input", meta.getInputs(0).getName());
        assertEquals("FP32", meta.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 3L, 32L, 32L), meta.getInputs(0).getShapeList());
        assertEquals(List.of(-1L, 10L), meta.getOutputs(0).getShapeList());
    }

    @Test
    void aTakenPortOrASecondEndpointIsRefusedAndRestGoesOn() {
        int taken = fixture.server.grpcPort().orElseThrow();
        try (Model other = Model.of(SmallNets.tiny(9), pool);
                ServerFixture f = new ServerFixture(
                        InferenceServer.start(ServerConfig.defaults().withPort(0), Map.of("tiny", other)))) {
            VecnnException busy = assertThrows(VecnnException.class, () -> f.server.serveGrpc(taken));
            assertTrue(busy.getMessage().contains("cannot serve gRPC on 127.0.0.1:" + taken), busy.getMessage());
            assertTrue(f.server.grpcPort().isEmpty());
            assertEquals(200, f.get("/v2/health/ready").statusCode());
        }
        VecnnException twice = assertThrows(VecnnException.class, () -> fixture.server.serveGrpc(0));
        assertTrue(twice.getMessage().contains("already serves gRPC on port " + taken), twice.getMessage());
    }

    @Test
    void callsAreCountedInTheMetricsBesideRest() {
        stub.serverLive(ServerLiveRequest.getDefaultInstance());
        assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(rawRequest("nope", new float[1], 1, 1, 1, 1)));
        String metrics = new String(fixture.get("/metrics").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("endpoint=\"grpc_server_live\",code=\"200\""), metrics);
        assertTrue(metrics.contains("endpoint=\"grpc_model_infer\",code=\"404\""), metrics);
    }

    @Test
    void aMessageOverTheBodyLimitIsRefused() throws InterruptedException {
        try (Model small = Model.of(SmallNets.tiny(8), pool);
                ServerFixture f = new ServerFixture(InferenceServer.start(
                                ServerConfig.defaults().withPort(0).withMaxBodyBytes(4096), Map.of("tiny", small))
                        .serveGrpc(0))) {
            ManagedChannel c = channel(f.server);
            try {
                float[] x = input(1, 5, 3 * 32 * 32);
                assertEquals(
                        Status.Code.RESOURCE_EXHAUSTED,
                        code(() -> GRPCInferenceServiceGrpc.newBlockingStub(c)
                                .modelInfer(rawRequest("tiny", x, 1, 3, 32, 32))));
            } finally {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void stopDrainsCallsInFlightAndThenRefusesNewOnes() throws Exception {
        ForkJoinPool slowPool = new ForkJoinPool(1);
        Shape shape = new Shape(3, 160, 160);
        ModelFile f = SmallNets.classifier(shape, new int[] {64, 64, 64, 64}, 10, 5, Map.of());
        try (Model slow = Model.of(f, slowPool)) {
            ServerFixture server = new ServerFixture(
                    InferenceServer.start(ServerConfig.defaults().withPort(0), Map.of("slow", slow))
                            .serveGrpc(0));
            ManagedChannel c = channel(server.server);
            try {
                var async = GRPCInferenceServiceGrpc.newFutureStub(c);
                List<float[]> inputs = new ArrayList<>();
                List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    float[] x = input(1, 10 + i, (int) shape.size());
                    inputs.add(x);
                    calls.add(async.modelInfer(rawRequest("slow", x, 1, 3, 160, 160)));
                }
                // Every call has reached the server (they queue behind the first) before it stops.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!anyQueued(server) && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                server.server.stop(Duration.ofSeconds(30));
                for (int i = 0; i < calls.size(); i++) {
                    ModelInferResponse r;
                    try {
                        r = calls.get(i).get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        throw new AssertionError("a call the server had accepted failed: " + e.getCause(), e);
                    }
                    assertArrayEquals(slow.run(inputs.get(i), 1), rawLogits(r));
                }
                float[] x = input(1, 20, (int) shape.size());
                assertEquals(
                        Status.Code.UNAVAILABLE,
                        code(() -> GRPCInferenceServiceGrpc.newBlockingStub(c)
                                .modelInfer(rawRequest("slow", x, 1, 3, 160, 160))));
            } finally {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.close();
            }
        } finally {
            slowPool.shutdown();
        }
    }

    @Test
    void aFullQueueIsUnavailableAndALateRequestDeadlineExceeded() throws Exception {
        ForkJoinPool slowPool = new ForkJoinPool(1);
        // Runs long (tens of ms on one thread) beside the time eight 600 KB calls take to arrive over one
        // connection, so they are all in the server while the first runs, on a loaded CI machine too.
        Shape shape = new Shape(3, 224, 224);
        ModelFile f = SmallNets.classifier(shape, new int[] {96, 96, 96, 96}, 10, 5, Map.of());
        try (Model slow = Model.of(f, slowPool)) {
            float[] x = input(1, 30, (int) shape.size());
            long runMillis = Long.MAX_VALUE;
            for (int i = 0; i < 4; i++) { // the fastest warm run
                long started = System.nanoTime();
                slow.run(x, 1);
                runMillis = Math.min(runMillis, (System.nanoTime() - started) / 1_000_000);
            }
            // One request at a time, two may wait; requests are due a little after one run.
            ServerConfig config = ServerConfig.defaults()
                    .withPort(0)
                    .withWarmup(Duration.ZERO)
                    .withBatching(new BatchingConfig(1, Duration.ZERO, 2, 1))
                    .withRequestTimeout(Duration.ofMillis(runMillis * 3 / 2 + 20));
            try (ServerFixture server = new ServerFixture(
                    InferenceServer.start(config, Map.of("slow", slow)).serveGrpc(0))) {
                ManagedChannel c = channel(server.server);
                try {
                    var async = GRPCInferenceServiceGrpc.newFutureStub(c);
                    List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        calls.add(async.modelInfer(rawRequest("slow", x, 1, 3, 224, 224)));
                    }
                    List<Status.Code> codes = new ArrayList<>();
                    for (ListenableFuture<ModelInferResponse> call : calls) {
                        try {
                            call.get(60, TimeUnit.SECONDS);
                            codes.add(Status.Code.OK);
                        } catch (ExecutionException e) {
                            codes.add(Status.fromThrowable(e.getCause()).getCode());
                        }
                    }
                    assertTrue(codes.contains(Status.Code.UNAVAILABLE), "8 calls, room for 3: " + codes);
                    assertTrue(
                            codes.contains(Status.Code.DEADLINE_EXCEEDED),
                            "the third waits 2 runs, past 1.5: " + codes);
                    assertTrue(
                            codes.stream()
                                    .allMatch(k -> k == Status.Code.OK
                                            || k == Status.Code.UNAVAILABLE
                                            || k == Status.Code.DEADLINE_EXCEEDED),
                            codes.toString());
                } finally {
                    c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            slowPool.shutdown();
        }
    }

    /** Whether the slow model's batcher has requests waiting: the calls got past the transport. */
    private static boolean anyQueued(ServerFixture server) {
        String metrics = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
        return metrics.lines().anyMatch(l -> l.startsWith("vecnn_queue_depth{model=\"slow\"}") && !l.endsWith(" 0"));
    }
}
