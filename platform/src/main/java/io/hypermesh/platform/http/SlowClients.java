package io.hypermesh.platform.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Closes connections that hold a server without using it: one that has not sent a whole request
 * head within {@link #HEADER_TIMEOUT} of opening (a slowloris), or that stays open and idle for
 * {@link #IDLE_TIMEOUT} between requests. A request being answered is never cut, so long polls and
 * event streams last as long as they need. Every HTTP server of the bus handles requests through it.
 */
public final class SlowClients {
    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final Vertx vertx;
    private final Duration headerTimeout;
    private final Duration idleTimeout;
    /** The pending close of each connection waiting for a request; weak, so a closed connection goes. */
    private final Map<HttpConnection, Long> timers = new WeakHashMap<>();

    public SlowClients(Vertx vertx) {
        this(vertx, HEADER_TIMEOUT, IDLE_TIMEOUT);
    }

    public SlowClients(Vertx vertx, Duration headerTimeout, Duration idleTimeout) {
        this.vertx = vertx;
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
    }

    /** For {@code HttpServer.connectionHandler}: a new connection has this long to send a request head. */
    public Handler<HttpConnection> connections() {
        return connection -> {
            arm(connection, headerTimeout);
            connection.closeHandler(v -> disarm(connection));
        };
    }

    /** For {@code HttpServer.requestHandler}: passes each request on, with the connection's clock stopped while it is answered. */
    public Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
        return request -> {
            HttpConnection connection = request.connection();
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
