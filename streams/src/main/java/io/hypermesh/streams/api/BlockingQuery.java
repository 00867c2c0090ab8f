package io.hypermesh.streams.api;

import io.hypermesh.http.GoDuration;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Blocking queries, one rule for every view that has them (Consul's and ours): {@code ?index=N}
 * (an unsigned 64-bit number) makes the answer wait until the view has moved on from N, or until
 * {@code ?wait} (a Go duration, 5 min by default, at most 10, plus up to a 16th of it as jitter)
 * runs out. Each room says what "moved on" means: past N for Consul's real indexes, different
 * from N for our content hashes. Waiting is on the caller's context and never spins.
 */
public final class BlockingQuery {
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private BlockingQuery() {
    }

    /** A request's {@code ?index} (0 when absent: answer at once) and when its wait ends. */
    public record Wait(long index, long deadlineNanos) {
        public boolean blocking() {
            return index != 0;
        }
    }

    /** Reads {@code ?index} and {@code ?wait}; either malformed is a 400 with Consul's text. */
    public static Wait of(HttpServerRequest request) {
        long index = parseIndex(request.getParam("index"));
        long waitNanos = parseWaitNanos(request.getParam("wait"));
        return new Wait(index, System.nanoTime() + waitNanos + ThreadLocalRandom.current().nextLong(waitNanos / 16 + 1));
    }

    static long parseIndex(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid index");
        }
    }

    static long parseWaitNanos(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_WAIT.toNanos();
        }
        long nanos;
        try {
            nanos = GoDuration.parseNanos(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Invalid wait time");
        }
        return nanos <= 0 ? DEFAULT_WAIT.toNanos() : Math.min(nanos, MAX_WAIT.toNanos());
    }

    /**
     * How often a blocking query looks at a view other instances hold parts of. Their changes are
     * pushed (see the peer room); this look only covers a push lost with a peer.
     */
    public static long peerPollMs() {
        return Long.getLong("hypermesh.api.peer-poll-ms", 1_000);
    }

    /**
     * Reads the view until {@code movedOn} says so or the deadline passes, and completes with the
     * last reading.
     *
     * @param dependsOn what a reading depends on ({@link ChangeSignal} scopes; null for any change)
     * @param assumed   what the view depended on when last read for anyone, if known: a change
     *                  outside it during the first reading sends it round again at once
     */
    public static <T> Future<T> await(Vertx vertx, ChangeSignal changes, Supplier<Future<T>> read, Predicate<T> movedOn,
                                      Function<T, List<String>> dependsOn, List<String> assumed, long deadlineNanos,
                                      BooleanSupplier othersHoldParts) {
        long before = changes.stamp(assumed);
        return read.get().compose(value -> {
            if (movedOn.test(value) || System.nanoTime() >= deadlineNanos) {
                return Future.succeededFuture(value);
            }
            List<String> scopes = dependsOn.apply(value);
            // The stamp taken before reading covers the reading only if the scopes assumed include
            // all it depends on (null stands for every change); if not, look again at once.
            boolean covered = assumed == null || (scopes != null && assumed.containsAll(scopes));
            BooleanSupplier missed = () -> !covered || changes.stamp(assumed) != before;
            return changeOrPoll(vertx, changes, scopes, missed, deadlineNanos, othersHoldParts).compose(ignored ->
                    await(vertx, changes, read, movedOn, dependsOn, scopes, deadlineNanos, othersHoldParts));
        });
    }

    /**
     * Waits for a change the view depends on, local or pushed by the instance that applied it. The
     * timer is the fallback for a push lost with a peer; with no peers it only looks, each second,
     * whether one joined.
     */
    private static Future<Void> changeOrPoll(Vertx vertx, ChangeSignal changes, List<String> scopes, BooleanSupplier missed,
                                             long deadlineNanos, BooleanSupplier othersHoldParts) {
        long left = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
        boolean others = othersHoldParts.getAsBoolean();
        return NextChange.await(vertx, changes, scopes, missed, Math.min(others ? peerPollMs() : 1_000, left), null).compose(changed ->
                changed || others || System.nanoTime() >= deadlineNanos || othersHoldParts.getAsBoolean() ? Future.succeededFuture()
                        : changeOrPoll(vertx, changes, scopes, missed, deadlineNanos, othersHoldParts));
    }
}
