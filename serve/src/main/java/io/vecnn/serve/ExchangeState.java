package io.vecnn.serve;

import com.sun.net.httpserver.HttpExchange;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the server keeps about one exchange while its handler runs: the route's name for the metrics, how
 * body reads are bounded in time, and whether the body was refused unread. Not kept in the exchange's
 * attributes: the JDK's server stores those in the {@code HttpContext}, shared by every request at once.
 */
final class ExchangeState {
    private static final Map<HttpExchange, ExchangeState> OPEN = new ConcurrentHashMap<>();

    private final ReadWatchdog watchdog;
    private final Duration readTimeout;
    private String endpoint = "unknown";
    private boolean bodyRefused;

    private ExchangeState(ReadWatchdog watchdog, Duration readTimeout) {
        this.watchdog = watchdog;
        this.readTimeout = readTimeout;
    }

    /** Starts tracking {@code exchange}; {@link #forget} ends it when its handler returns. */
    static ExchangeState open(HttpExchange exchange, ReadWatchdog watchdog, Duration readTimeout) {
        ExchangeState state = new ExchangeState(watchdog, readTimeout);
        OPEN.put(exchange, state);
        return state;
    }

    static ExchangeState of(HttpExchange exchange) {
        ExchangeState state = OPEN.get(exchange);
        if (state == null) {
            throw new IllegalStateException(
                    "exchange " + exchange.getRequestURI() + " is not being handled by the server");
        }
        return state;
    }

    static void forget(HttpExchange exchange) {
        OPEN.remove(exchange);
    }

    ReadWatchdog watchdog() {
        return watchdog;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    String endpoint() {
        return endpoint;
    }

    void endpoint(String name) {
        endpoint = name;
    }

    boolean bodyRefused() {
        return bodyRefused;
    }

    void refuseBody() {
        bodyRefused = true;
    }
}
