package io.vecnn.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * threads are a bounded pool of ours. The server does not own the models; close them after {@link #stop}.
 */
public final class InferenceServer implements AutoCloseable {
    private static final String VERSION = "0.1.0";
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final ServerConfig config;
    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics = new ServerMetrics();
    private final HttpServer http;
    private final ThreadPoolExecutor handlers;
    private final V2Routes v2;
    private final V1Routes v1;
    private volatile boolean ready;
    private volatile boolean stopped;

    private InferenceServer(ServerConfig config, Map<String, Model> models) throws IOException {
        this.config = config;
        Map<String, ServedModel> served = new LinkedHashMap<>();
        for (Map.Entry<String, Model> e : models.entrySet()) {
            String name = e.getKey();
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new VecnnException("model name '" + name + "' must be 1–64 letters, digits, '_', '.' or '-'");
            }
            served.put(name, new ServedModel(name, e.getValue(), config.batching(), metrics));
        }
        this.models = Map.copyOf(served);
        this.v2 = new V2Routes(this.models, config, VERSION);
        this.v1 = new V1Routes(this.models, config);
        int id = SERVERS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        // Handler threads only parse and wait for their batch; when all are busy and the queue is full the
        // accepting thread runs the request itself, which slows accepting: back-pressure, not an error.
        this.handlers = new ThreadPoolExecutor(config.handlerThreads(), config.handlerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.handlerThreads() * 8), r -> {
                    Thread t = new Thread(r, "vecnn-http-" + id + "-" + thread.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        http.setExecutor(handlers);
        http.createContext("/", this::dispatch);
        http.start();
        ready = true;
    }

    /** Starts serving {@code models} (name in URLs → model) as {@code config} says; returns once it listens. */
    public static InferenceServer start(ServerConfig config, Map<String, Model> models) {
        if (models == null || models.isEmpty()) {
            throw new VecnnException("the server needs at least one model");
        }
        try {
            return new InferenceServer(config, models);
        } catch (IOException e) {
            throw new VecnnException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
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
     * Graceful shutdown: readiness turns false, the listener closes, requests in flight (queued or running)
     * finish within {@code drain}, then the batchers and handler threads stop.
     */
    public synchronized void stop(Duration drain) {
        if (stopped) {
            return;
        }
        stopped = true;
        ready = false;
        http.stop((int) Math.max(1, Math.min(Integer.MAX_VALUE, drain.toSeconds())));
        models.values().forEach(ServedModel::close);
        handlers.shutdown();
        try {
            handlers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until {@link #stop} has finished (from a shutdown hook, for instance). */
    public void awaitShutdown() throws InterruptedException {
        handlers.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private void dispatch(HttpExchange exchange) {
        long start = System.nanoTime();
        int status;
        try {
            try {
                String[] path = Arrays.stream(exchange.getRequestURI().getPath().split("/"))
                        .filter(s -> !s.isEmpty()).toArray(String[]::new);
                route(exchange, path);
                status = exchange.getResponseCode();
            } catch (HttpError e) {
                status = e.status();
                ExchangeIo.sendError(exchange, e);
            } catch (RuntimeException e) {
                status = 500;
                ExchangeIo.sendError(exchange, new HttpError(500, "internal error: " + e));
            }
        } catch (IOException e) {
            // The client went away mid-response; nothing is left to tell it.
            status = 499;
        } finally {
            exchange.close();
        }
        metrics.request(ExchangeIo.endpoint(exchange), status, System.nanoTime() - start);
    }

    private void route(HttpExchange exchange, String[] path) throws IOException {
        if (path.length == 0) {
            throw new HttpError(404, "no such endpoint: /; try /v2, /v1/models, /healthz or /metrics");
        }
        switch (path[0]) {
            case "v2" -> v2.handle(exchange, path, ready);
            case "v1" -> v1.handle(exchange, path);
            case "healthz" -> {
                ExchangeIo.nameEndpoint(exchange, "healthz");
                ObjectNode body = ExchangeIo.JSON.createObjectNode();
                body.put("status", ready ? "ok" : "stopping");
                ArrayNode names = body.putArray("models");
                models.keySet().forEach(names::add);
                ExchangeIo.sendJson(exchange, ready ? 200 : 503, body);
            }
            case "metrics" -> {
                ExchangeIo.nameEndpoint(exchange, "metrics");
                models.values().forEach(m -> metrics.queueDepth(m.name(), m.batcher().queueDepth()));
                ExchangeIo.send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", ExchangeIo.utf8(metrics.render()));
            }
            default -> throw new HttpError(404, "no such endpoint: " + exchange.getRequestURI().getPath());
        }
    }
}
