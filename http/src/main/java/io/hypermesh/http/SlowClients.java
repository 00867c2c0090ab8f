package io.hypermesh.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The connection bulkhead of every HTTP server of the bus. It bounds the connections a listener
 * holds, in all and per client (remote address), because they share the process's file
 * descriptors with the broker's logs: a connection over either bound is answered 503 with its
 * reason and closed, or closed at once when many such are already waiting. It also closes
 * connections that hold the server without using it: one that has not sent a whole request head
 * within {@link #HEADER_TIMEOUT} of opening (a slowloris), or that stays open and idle for
 * {@link #IDLE_TIMEOUT} between requests. A request being answered is never cut, so long polls
 * and event streams last as long as they need.
 */
public final class SlowClients {
    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Connections one listener holds unless told otherwise, and one client of it. */
    public static final int MAX_CONNECTIONS = 1_024;
    public static final int MAX_CONNECTIONS_PER_CLIENT = 256;
    /** Connections over a bound that wait to be told why; past this many more are closed without a word. */
    static final int REFUSALS_WAITING = 256;
    static final Duration REFUSAL_GRACE = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Duration headerTimeout;
    private final Duration idleTimeout;
    private final int maxConnections;
    private final int maxPerClient;
    /** The pending close of each connection waiting for a request; weak, so a closed connection goes. */
    private final Map<HttpConnection, Long> timers = new WeakHashMap<>();
    /** Connections over a bound, each with the reason its first request is told. */
    private final Map<HttpConnection, String> refused = new WeakHashMap<>();
    private final ClientShares byClient = new ClientShares();
    private int open;

    public SlowClients(Vertx vertx) {
        this(vertx, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT);
    }

    public SlowClients(Vertx vertx, int maxConnections, int maxPerClient) {
        this(vertx, HEADER_TIMEOUT, IDLE_TIMEOUT, maxConnections, maxPerClient);
    }

    public SlowClients(Vertx vertx, Duration headerTimeout, Duration idleTimeout) {
        this(vertx, headerTimeout, idleTimeout, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT);
    }

    private SlowClients(Vertx vertx, Duration headerTimeout, Duration idleTimeout, int maxConnections, int maxPerClient) {
        if (maxConnections < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1, were " + maxConnections + " and " + maxPerClient);
        }
        this.vertx = vertx;
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
        this.maxConnections = maxConnections;
        this.maxPerClient = maxPerClient;
    }

    /** For {@code HttpServer.connectionHandler}: counts the connection, or refuses it; a new one has this long to send a request head. */
    public Handler<HttpConnection> connections() {
        return connection -> {
            String client = connection.remoteAddress() == null ? "?" : connection.remoteAddress().hostAddress();
            String refusal = admit(client);
            if (refusal != null) {
                refuse(connection, refusal);
                return;
            }
            arm(connection, headerTimeout);
            connection.closeHandler(v -> {
                disarm(connection);
                leave(client);
            });
        };
    }

    private synchronized String admit(String client) {
        if (open >= maxConnections) {
            return "too many connections: this listener takes " + maxConnections;
        }
        if (!byClient.take(client, maxPerClient)) {
            return "too many connections from " + client + ": the limit is " + maxPerClient + " per client";
        }
        open++;
        return null;
    }

    private synchronized void leave(String client) {
        open--;
        byClient.give(client);
    }

    /** A refused connection's first request is told why; if none comes within a second, or too many wait, it is closed. */
    private void refuse(HttpConnection connection, String reason) {
        synchronized (this) {
            if (refused.size() >= REFUSALS_WAITING) {
                connection.close();
                return;
            }
            refused.put(connection, reason);
        }
        vertx.setTimer(REFUSAL_GRACE.toMillis(), id -> connection.close());
        connection.closeHandler(v -> {
            synchronized (this) {
                refused.remove(connection);
            }
        });
    }

    /** Connections counted as open now. */
    public synchronized int open() {
        return open;
    }

    /** For {@code HttpServer.requestHandler}: passes each request on, with the connection's clock stopped while it is answered. */
    public Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
        return request -> {
            HttpConnection connection = request.connection();
            String refusal;
            synchronized (this) {
                refusal = refused.get(connection);
            }
            if (refusal != null) {
                request.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Connection", "close")
                        .putHeader("Content-Type", "text/plain; charset=utf-8").end(refusal + "; retry later")
                        .onComplete(done -> connection.close());
                return;
            }
            disarm(connection);
            // The body end, not the end: routers take the end handler for their own use.
            request.response().bodyEndHandler(v -> arm(connection, idleTimeout));
            next.handle(request);
        };
    }

    private synchronized void arm(HttpConnection connection, Duration timeout) {
        Long previous = timers.put(connection, vertx.setTimer(timeout.toMillis(), id -> {
            synchronized (this) {
                if (!Long.valueOf(id).equals(timers.get(connection))) {
                    return;
                }
                timers.remove(connection);
            }
            connection.close();
        }));
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    private synchronized void disarm(HttpConnection connection) {
        Long timer = timers.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
