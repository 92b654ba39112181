package io.vecnn.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.WarmupReport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 inference server for one or more models: the Open Inference Protocol (KServe V2) under
 * {@code /v2}, an image endpoint under {@code /v1}, {@code /healthz} and Prometheus {@code /metrics}.
 * Requests are batched per model by a {@link DynamicBatcher}. Embeddable:
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("resnet18.vnn"));
 *      InferenceServer server = InferenceServer.start(ServerConfig.defaults().withPort(8080),
 *                                                     Map.of("resnet18", model))) {
 *     server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>HTTP is the JDK's own {@code com.sun.net.httpserver}: no dependency for a library that promises JDK plus
 * Jackson, HTTP/1.1 keep-alive and chunked bodies handled by a maintained implementation, and its handler
 * threads are a bounded pool of ours. The server does not own models passed to it; close them after
 * {@link #stop}. Models it read from files itself ({@link #startFromFiles}) it closes.
 *
 * <p>Slow clients are bounded by {@link ServerConfig#readTimeout()}: a request head that has not arrived within
 * it has its connection closed, a body is answered 408 and its connection closed, so neither holds a handler
 * thread longer. Connections open but idle hold no thread (the JDK's selector watches them). A model can be
 * replaced under traffic without losing a request: {@link #reload}, or, for models read from files,
 * {@code POST /v2/repository/models/{name}/load}.
 */
public final class InferenceServer implements AutoCloseable {
    private static final String VERSION = "0.1.0";
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final ServerConfig config;
    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics;
    private final HttpServer http;
    private final ThreadPoolExecutor handlers;
    private final ReadWatchdog watchdog;
    /** The watch on a handler thread while the JDK reads a request head on it; the handler ends it. */
    private final ThreadLocal<ReadWatchdog.Watch> headWatch = new ThreadLocal<>();

    private final V2Routes v2;
    private final V1Routes v1;
    private final RepositoryRoutes repository;
    private final ServerWarmup warmup;
    private final int id;
    /** The KServe V2 gRPC endpoint, when {@link #serveGrpc} started one. */
    private volatile GrpcEndpoint grpc;

    private volatile boolean stopping;
    private volatile boolean stopped;

    private InferenceServer(
            ServerConfig config, Map<String, ServedModel> models, ServerMetrics metrics, long startNanos)
            throws IOException {
        this.config = config;
        this.models = Map.copyOf(models);
        this.metrics = metrics;
        // In the order the models were given: with a budget too short for all, the first get warmed.
        this.warmup = new ServerWarmup(new ArrayList<>(models.values()), config.warmup(), startNanos, metrics);
        this.v2 = new V2Routes(this.models, config, VERSION);
        this.v1 = new V1Routes(this.models, config, new DecodeAdmission(config.images(), metrics));
        this.repository = new RepositoryRoutes(this.models, config, metrics);
        int id = SERVERS.incrementAndGet();
        this.id = id;
        AtomicInteger thread = new AtomicInteger();
        // Handler threads only parse and wait for their batch; when all are busy and the queue is full the
        // accepting thread runs the request itself, which slows accepting: back-pressure, not an error.
        this.handlers = new ThreadPoolExecutor(
                config.handlerThreads(),
                config.handlerThreads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.handlerThreads() * 8),
                r -> {
                    Thread t = new Thread(r, "vecnn-http-" + id + "-" + thread.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.watchdog = new ReadWatchdog("vecnn-http-" + id + "-watchdog");
        try {
            HeaderLimits.raiseJdkLimits();
            this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        } catch (IOException e) {
            watchdog.close();
            handlers.shutdown();
            throw e;
        }
        // The JDK hands a connection to the executor as soon as it is readable and reads the request head on
        // the executor's thread, before any handler runs: the watch has to start here.
        http.setExecutor(exchange -> handlers.execute(() -> readHeadThenHandle(exchange)));
        http.createContext("/", this::dispatch);
        http.start();
        // Only now: the port answers liveness while the models warm, and readiness says "warming up".
        warmup.start("vecnn-warmup-" + id);
    }

    /**
     * Starts serving {@code models} (name in URLs → model) as {@code config} says; returns once it listens.
     * It then warms the models up in the background ({@link ServerConfig#warmup()}) and reports ready once
     * they are: see {@link #awaitReady}. The models stay the caller's: the server never closes them, and since
     * there is no file to read them from again, only {@link #reload} replaces one.
     */
    public static InferenceServer start(ServerConfig config, Map<String, Model> models) {
        return serve(
                config,
                models,
                (name, model, metrics) ->
                        new ServedModel(checkName(name), model, null, config.batching(), config.warmup(), metrics));
    }

    /**
     * Reads each model from its file and serves it, as {@link #start} does. These models are the server's: it
     * closes them when they are replaced and when it stops, and {@code POST /v2/repository/models/{name}/load}
     * reads a model's file again.
     */
    public static InferenceServer startFromFiles(ServerConfig config, Map<String, ModelSource> sources) {
        return serve(config, sources, (name, source, metrics) -> {
            Model model = source.load();
            try {
                return new ServedModel(checkName(name), model, source, config.batching(), config.warmup(), metrics);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        });
    }

    /** Makes the served model of one entry of the map {@link #serve} is given. */
    private interface Opener<T> {
        ServedModel open(String name, T model, ServerMetrics metrics);
    }

    /** Opens every entry of {@code models} in order, closing those opened if one fails, then listens. */
    private static <T> InferenceServer serve(ServerConfig config, Map<String, T> models, Opener<T> opener) {
        long startNanos = System.nanoTime();
        if (models == null || models.isEmpty()) {
            throw new VecnnException("the server needs at least one model");
        }
        ServerMetrics metrics = new ServerMetrics();
        Map<String, ServedModel> served = new LinkedHashMap<>();
        try {
            models.forEach((name, model) -> served.put(name, opener.open(name, model, metrics)));
        } catch (RuntimeException e) {
            served.values().forEach(ServedModel::close);
            throw e;
        }
        return listen(config, served, metrics, startNanos);
    }

    private static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new VecnnException("model name '" + name + "' must be 1–64 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    private static InferenceServer listen(
            ServerConfig config, Map<String, ServedModel> served, ServerMetrics metrics, long startNanos) {
        try {
            MemoryBudget.check(served.values(), config, Runtime.getRuntime().maxMemory());
            return new InferenceServer(config, served, metrics, startNanos);
        } catch (RuntimeException e) {
            served.values().forEach(ServedModel::close);
            throw e;
        } catch (IOException e) {
            served.values().forEach(ServedModel::close);
            throw new VecnnException(
                    "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The port the server listens on (the free one picked when the config said 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://" + config.host() + ":" + port());
    }

    /**
     * Also serves the Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}) on {@code port}
     * of the config's host (0 picks a free one; see {@link #grpcPort}): the same models, batching, limits
     * (the body limit bounds a message), metrics and drain as the REST routes. Once per server.
     */
    public synchronized InferenceServer serveGrpc(int port) {
        if (stopped) {
            throw new VecnnException("the server has stopped");
        }
        if (grpc != null) {
            throw new VecnnException("the server already serves gRPC on port " + grpc.port());
        }
        if (port < 0 || port > 65535) {
            throw new VecnnException("gRPC port must be between 0 and 65535, got " + port);
        }
        grpc = GrpcEndpoint.start(config.host(), port, models, config, metrics, () -> stopping, VERSION, id);
        return this;
    }

    /** The port of the gRPC endpoint, if {@link #serveGrpc} started one. */
    public OptionalInt grpcPort() {
        GrpcEndpoint endpoint = grpc;
        return endpoint == null ? OptionalInt.empty() : OptionalInt.of(endpoint.port());
    }

    /**
     * Whether the server is ready for traffic: every model warmed up and the server not stopping. It answers
     * requests before that too (on code the JIT may still be compiling); readiness is what tells a load
     * balancer to send them.
     */
    public boolean isReady() {
        return ServedModel.notReady(models.values(), stopping) == null;
    }

    /**
     * Waits until the server is ready; false when it stopped first, a model's warm-up failed or {@code timeout}
     * passed.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return warmup.await(timeout) && isReady();
    }

    /**
     * How long the server took to become ready, from the start of {@link #start} or {@link #startFromFiles}
     * (reading the models included) to the end of the warm-up; empty until it is ready.
     */
    public Optional<Duration> timeToReady() {
        return warmup.timeToReady();
    }

    /**
     * The report of the last warm-up of the model serving as {@code name}: the start's, or the last reload's;
     * empty before it has run, or when the server's warm-up time is zero.
     */
    public Optional<WarmupReport> warmup(String name) {
        return Optional.ofNullable(served(name).lastWarmup());
    }

    /** The model serving as {@code name} now (a reload replaces it). */
    public Model model(String name) {
        return served(name).model();
    }

    /**
     * Serves {@code replacement} as {@code name} from now on, under traffic, losing no request: it warms up
     * first (for up to {@link ServerConfig#warmup()}, the old model serving meanwhile), then new requests go
     * to it at once, requests already queued or running finish on the old model, and the call returns once
     * the old model is idle. The replacement must take and give the same shapes. It stays the caller's, like
     * every model passed in; the old model, if it was the caller's, may be closed once this returns (the
     * server closes it itself if it read it from a file).
     */
    public void reload(String name, Model replacement) {
        if (replacement == null) {
            throw new VecnnException("the replacement for model '" + name + "' is null");
        }
        ServedModel served = served(name);
        try {
            served.replace(replacement, false);
        } catch (RuntimeException e) {
            metrics.reload(name, false);
            throw e;
        }
        metrics.reload(name, true);
    }

    private ServedModel served(String name) {
        ServedModel model = models.get(name);
        if (model == null) {
            throw new VecnnException("this server has no model '" + name + "'; it has " + models.keySet());
        }
        return model;
    }

    /**
     * Graceful shutdown: readiness turns false, a warm-up still running ends after its current run, the
     * listener closes, requests in flight (queued or running) finish within {@code drain}, then the batchers
     * and handler threads stop. The gRPC endpoint, if any, takes no new calls from the start and its calls in
     * flight finish within the same {@code drain}.
     */
    public synchronized void stop(Duration drain) {
        if (stopped) {
            return;
        }
        long drainStart = System.nanoTime();
        stopped = true;
        stopping = true;
        if (grpc != null) {
            grpc.shutdown();
        }
        warmup.stop(drain);
        http.stop((int) Math.max(1, Math.min(Integer.MAX_VALUE, drain.toSeconds())));
        if (grpc != null) {
            grpc.awaitTermination(drain.minusNanos(System.nanoTime() - drainStart));
        }
        models.values().forEach(ServedModel::close);
        handlers.shutdown();
        try {
            handlers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.close();
    }

    /** Blocks until {@link #stop} has finished (from a shutdown hook, for instance). */
    public void awaitShutdown() throws InterruptedException {
        handlers.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** Handler threads busy now: reading a request, waiting for inference or answering. */
    int busyHandlers() {
        return handlers.getActiveCount();
    }

    /**
     * Runs one of the JDK's exchange tasks, which reads the request head and then calls {@link #dispatch}:
     * a head that takes longer than the read timeout has its connection closed by the watch's interrupt.
     */
    private void readHeadThenHandle(Runnable exchange) {
        ReadWatchdog.Watch watch = watchdog.watch(config.readTimeout(), metrics::headerTimeout);
        headWatch.set(watch);
        try {
            exchange.run();
        } finally {
            headWatch.remove();
            watch.end();
        }
    }

    private void dispatch(HttpExchange exchange) {
        ReadWatchdog.Watch head = headWatch.get();
        if (head != null) {
            head.end();
        }
        long start = System.nanoTime();
        ExchangeState state = ExchangeState.open(exchange, watchdog, config.readTimeout());
        int status;
        try {
            try {
                HeaderLimits.check(exchange.getRequestHeaders());
                String[] path = Arrays.stream(exchange.getRequestURI().getPath().split("/"))
                        .filter(s -> !s.isEmpty())
                        .toArray(String[]::new);
                route(exchange, path);
                status = exchange.getResponseCode();
            } catch (HttpError e) {
                status = e.status();
                ExchangeIo.sendError(exchange, e);
            } catch (RuntimeException e) {
                status = 500;
                ExchangeIo.sendError(exchange, new HttpError(500, "internal error: " + e));
            } catch (OutOfMemoryError e) {
                // What this request held is garbage now, so there is room to answer it; the next may fit.
                status = 503;
                ExchangeIo.sendError(
                        exchange,
                        new HttpError(
                                503, "the server ran out of memory on this request; retry later, or send less", 1));
            } catch (Error e) {
                status = 500;
                ExchangeIo.sendError(exchange, new HttpError(500, "internal error: " + e));
            }
        } catch (BodyTimeout e) {
            status = 408;
            finishAnswered(exchange);
        } catch (IOException e) {
            // The client went away mid-request or mid-response; nothing is left to tell it.
            status = 499;
        } finally {
            exchange.close();
            ExchangeState.forget(exchange);
        }
        metrics.request(state.endpoint(), status, System.nanoTime() - start);
    }

    /**
     * Completes an exchange the watchdog has answered: closing the response body is what tells the JDK's
     * server the exchange is over (otherwise {@link HttpServer#stop} waits its whole delay for it).
     */
    private static void finishAnswered(HttpExchange exchange) {
        try {
            exchange.getResponseBody().close();
        } catch (IOException e) {
            // The connection is already closed; the exchange still ends.
        }
    }

    private void route(HttpExchange exchange, String[] path) throws IOException {
        if (path.length == 0) {
            throw new HttpError(404, "no such endpoint: /; try /v2, /v1/models, /healthz or /metrics");
        }
        switch (path[0]) {
            case "v2" -> {
                if (path.length >= 2 && path[1].equals("repository")) {
                    repository.handle(exchange, path);
                } else {
                    v2.handle(exchange, path, stopping);
                }
            }
            case "v1" -> v1.handle(exchange, path);
            case "healthz" -> {
                ExchangeIo.nameEndpoint(exchange, "healthz");
                String notReady = ServedModel.notReady(models.values(), stopping);
                ObjectNode body = ExchangeIo.JSON.createObjectNode();
                body.put("status", notReady == null ? "ok" : notReady);
                ArrayNode names = body.putArray("models");
                models.keySet().forEach(names::add);
                ExchangeIo.sendJson(exchange, notReady == null ? 200 : 503, body);
            }
            case "metrics" -> {
                ExchangeIo.nameEndpoint(exchange, "metrics");
                models.values().forEach(m -> {
                    metrics.queueDepth(m.name(), m.batcher().queueDepth());
                    Model model = m.model();
                    metrics.modelMemory(m.name(), "weights", model.weightBytes());
                    metrics.modelMemory(m.name(), "idle_workspaces", model.idleWorkspaceBytes());
                    metrics.modelMemory(m.name(), "other_size_plans", model.planCacheBytes());
                });
                metrics.busyHandlers(handlers.getActiveCount());
                ExchangeIo.send(
                        exchange, 200, "text/plain; version=0.0.4; charset=utf-8", ExchangeIo.utf8(metrics.render()));
            }
            default ->
                throw new HttpError(
                        404, "no such endpoint: " + exchange.getRequestURI().getPath());
        }
    }
}
