package io.hypermesh.streams.api;

import io.hypermesh.http.ClientShares;
import io.hypermesh.streams.ApiLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * What answers may hold of the process. An answer is admitted before it is built (a count for all
 * clients and one per client), built on a small pool of render threads instead of the event loop,
 * charged its size while it waits to be written, and written only as fast as its client reads:
 * a client that leaves it unread past {@link ApiLimits#slowReaderTimeout()} loses its connection.
 * A closed connection gives everything back. So a client that asks for big answers and never
 * reads them holds at most its own share, and every other request keeps its event loop.
 */
public final class AnswerBudget {
    private static final int CHUNK = 64 * 1024;

    private final Vertx vertx;
    private final ApiLimits limits;
    private final WorkerExecutor renderers;
    private final ClientShares byClient = new ClientShares();
    private int inFlight;
    private long bytes;

    public AnswerBudget(Vertx vertx, ApiLimits limits) {
        this.vertx = vertx;
        this.limits = limits;
        this.renderers = vertx.createSharedWorkerExecutor("hypermesh-api-render", limits.renderThreads());
    }

    /** One admitted answer; {@link #release()} gives back its place and bytes, once however often it runs. */
    public final class Admission {
        private final String client;
        private long charged;
        private boolean released;

        private Admission(String client) {
            this.client = client;
        }

        /** Charges the answer's size, or refuses it with 503 when the rendered answers already waiting use the budget. */
        public void charge(long size) {
            synchronized (AnswerBudget.this) {
                if (released) {
                    return;
                }
                if (bytes + size > limits.answerBytesInFlight() && charged == 0 && bytes > 0) {
                    throw new ApiException(503, "answers of " + bytes + " bytes are waiting for their clients (the limit is "
                            + limits.answerBytesInFlight() + "); retry later");
                }
                bytes += size;
                charged += size;
            }
        }

        void release() {
            synchronized (AnswerBudget.this) {
                if (released) {
                    return;
                }
                released = true;
                bytes -= charged;
                inFlight--;
                byClient.give(client);
            }
        }
    }

    /** Admits one answer for the request's client, released when the exchange ends however it ends; else 429 or 503. */
    public Admission admit(RoutingContext ctx) {
        String client = ClientShares.clientOf(ctx.request());
        Admission admission;
        synchronized (this) {
            if (inFlight >= limits.answersInFlight()) {
                throw new ApiException(503, "too many answers in flight: the limit is " + limits.answersInFlight() + "; retry later");
            }
            if (!byClient.take(client, limits.answersInFlightPerClient())) {
                throw new ApiException(429, "too many answers in flight for " + client + ": the limit is "
                        + limits.answersInFlightPerClient() + " per client");
            }
            inFlight++;
            admission = new Admission(client);
        }
        ctx.addEndHandler(done -> admission.release());
        if (ctx.response().closed()) {
            // The client left first (a blocking query woken after its client went): its end was told
            // before this handler was added, and would never be told again. Holding the place would
            // lock the client's address out for good, and at the total limit every client.
            admission.release();
        }
        return admission;
    }

    /**
     * Applies {@code render} to {@code input}: at once when the input is small (a few entries cost
     * less than the hop), else on a render thread, its result coming back on the caller's context.
     * Small answers never queue behind big ones.
     */
    public <T, R> Future<R> render(T input, java.util.function.Function<T, R> render) {
        if (size(input) <= INLINE_ENTRIES) {
            try {
                return Future.succeededFuture(render.apply(input));
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        return renderers.executeBlocking(() -> render.apply(input), false);
    }

    /** Up to this many entries an answer is rendered where it is asked for. */
    public static final int INLINE_ENTRIES = 64;

    private static int size(Object input) {
        if (input instanceof java.util.Collection<?> c) {
            return c.size();
        }
        if (input instanceof io.vertx.core.json.JsonArray a) {
            return a.size();
        }
        if (input instanceof io.vertx.core.json.JsonObject o) {
            return o.size();
        }
        if (input instanceof java.util.Map<?, ?> m) {
            return m.size();
        }
        if (input instanceof Wrapping wrapping) {
            return size(wrapping.view());
        }
        return input instanceof java.util.Optional<?> || input == null || input instanceof String ? 1 : Integer.MAX_VALUE;
    }

    /**
     * Writes a rendered answer as fast as the client takes it: a chunk at a time while the
     * connection's queue has room, the rest on drain. A client that takes nothing for the slow
     * reader timeout is disconnected, which releases what its answer held.
     */
    public void write(HttpServerResponse response, Buffer body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.putHeader("Content-Length", Integer.toString(body.length()));
        new Writer(response, body).next();
    }

    private final class Writer {
        private final HttpServerResponse response;
        private final Buffer body;
        private int position;
        private long stallTimer = -1;

        Writer(HttpServerResponse response, Buffer body) {
            this.response = response;
            this.body = body;
        }

        void next() {
            if (stallTimer >= 0) {
                vertx.cancelTimer(stallTimer);
                stallTimer = -1;
            }
            if (response.closed()) {
                return;
            }
            while (position < body.length() && !response.writeQueueFull()) {
                int end = Math.min(body.length(), position + CHUNK);
                response.write(body.slice(position, end));
                position = end;
            }
            if (position >= body.length()) {
                response.end();
                return;
            }
            response.drainHandler(v -> next());
            stallTimer = vertx.setTimer(limits.slowReaderTimeout().toMillis(), id -> response.reset());
        }
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized long bytesInFlight() {
        return bytes;
    }

    void close() {
        renderers.close();
    }

    /** A view carried with something about it (what it depends on): its size is the view's. */
    public interface Wrapping {
        Object view();
    }
}
