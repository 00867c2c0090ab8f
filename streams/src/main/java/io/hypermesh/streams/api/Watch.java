package io.hypermesh.streams.api;

import io.vertx.core.Future;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blocking queries on our own views ({@link HypermeshViews}). Their index is derived from their
 * content, so it changes exactly when the view changes and every instance gives the same index for
 * the same view; a client compares it for equality. Consul's views have real indexes instead
 * ({@link ConsulQueries}).
 */
final class Watch {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    /**
     * How often a blocking query looks at an index that other instances move. Their changes are
     * pushed ({@link PeerChanges}); this look only covers a push lost with a peer.
     */
    static long peerPollMs() {
        return Long.getLong("hypermesh.api.peer-poll-ms", 1_000);
    }
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Watch() {
    }

    /** A rendered view; {@code scopes} are the changes it depends on, null for any change. */
    record Rendered(String body, long index, List<String> scopes) {
    }

    /** A view that names what it depends on ({@link io.hypermesh.streams.ChangeSignal} scopes). */
    record Scoped(Object view, List<String> scopes) {
    }

    static Rendered render(Object view) {
        if (view instanceof Rendered already) {
            return already; // rendered once, shared by every client of the view
        }
        if (view instanceof Scoped scoped) {
            String body = scoped.view().toString();
            return new Rendered(body, indexOf(body), scoped.scopes());
        }
        String body = view.toString();
        return new Rendered(body, indexOf(body), null);
    }

    static long indexOf(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            long index = 0;
            for (int i = 0; i < 8; i++) {
                index = (index << 8) | (digest[i] & 0xff);
            }
            // Positive and never 0, which clients use to mean "no index yet".
            return Math.max(1, index & Long.MAX_VALUE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Duration parseWait(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_WAIT;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw ApiException.badRequest("wait must look like 500ms, 10s, 5m or 1h, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }

    /**
     * Renders the view; if its index is still {@code index}, renders again until it changes or {@code wait} ends.
     *
     * @param scopes what the view depended on when last rendered for anyone, if known
     */
    static Future<Rendered> await(Vertx vertx, ChangeSignal changes, Supplier<Future<Object>> view, long index, Duration wait,
                                  List<String> scopes, BooleanSupplier othersHoldParts) {
        long deadline = System.nanoTime() + wait.toNanos();
        return poll(vertx, changes, view, index, deadline, scopes, othersHoldParts);
    }

    /**
     * @param scopes what the last rendering depended on (null before the first): a change there
     *               during this rendering means it may be stale, so it is rendered again at once
     */
    private static Future<Rendered> poll(Vertx vertx, ChangeSignal changes, Supplier<Future<Object>> view, long index, long deadline,
                                         List<String> scopes, BooleanSupplier othersHoldParts) {
        long before = changes.stamp(scopes);
        return view.get().map(Watch::render).compose(rendered -> {
            if (rendered.index() != index || System.nanoTime() >= deadline) {
                return Future.succeededFuture(rendered);
            }
            // The stamp taken before rendering covers what the view depends on only if the scopes
            // it assumed include them all (null stands for every change); if not, look again at once.
            boolean covered = scopes == null || (rendered.scopes() != null && scopes.containsAll(rendered.scopes()));
            BooleanSupplier missed = () -> !covered || changes.stamp(scopes) != before;
            return changeOrPoll(vertx, changes, rendered.scopes(), missed, deadline, othersHoldParts).compose(ignored ->
                    poll(vertx, changes, view, index, deadline, rendered.scopes(), othersHoldParts));
        });
    }

    /**
     * Waits for a change the view depends on, local or pushed by the instance that applied it. The
     * timer is the fallback for a push lost with a peer; with no peers it only looks, each second,
     * whether one joined.
     */
    private static Future<Void> changeOrPoll(Vertx vertx, ChangeSignal changes, List<String> scopes, BooleanSupplier missed, long deadline,
                                             BooleanSupplier othersHoldParts) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        boolean others = othersHoldParts.getAsBoolean();
        return NextChange.await(vertx, changes, scopes, missed, Math.min(others ? peerPollMs() : 1_000, left), null).compose(changed ->
                changed || others || System.nanoTime() >= deadline || othersHoldParts.getAsBoolean() ? Future.succeededFuture()
                        : changeOrPoll(vertx, changes, scopes, missed, deadline, othersHoldParts));
    }
}
