package io.hypermesh.streams.api;

import io.vertx.core.Future;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Consul-style blocking queries. A view's index is derived from its content, so it changes
 * exactly when the view changes and every instance gives the same index for the same view.
 * (Unlike Consul's Raft index it is not monotonic: a client compares it for equality.)
 */
final class Watch {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    static final long POLL_MS = 100;
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Watch() {
    }

    record Rendered(String body, long index) {
    }

    static Rendered render(Object view) {
        String body = view.toString();
        return new Rendered(body, indexOf(body));
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

    /** Renders the view; if its index is still {@code index}, renders again until it changes or {@code wait} ends. */
    static Future<Rendered> await(Vertx vertx, ChangeSignal changes, Supplier<Future<Object>> view, long index, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        return poll(vertx, changes, view, index, deadline);
    }

    private static Future<Rendered> poll(Vertx vertx, ChangeSignal changes, Supplier<Future<Object>> view, long index, long deadline) {
        Promise<Void> wake = Promise.promise();
        // Listen before rendering, so a change during the render is not missed.
        Runnable cancel = changes.onNextChange(() -> vertx.runOnContext(v -> wake.tryComplete()));
        return view.get().map(Watch::render).compose(rendered -> {
            if (rendered.index() != index || System.nanoTime() >= deadline) {
                cancel.run();
                return Future.succeededFuture(rendered);
            }
            // Wake on a local change at once; poll for changes other instances own.
            long timer = vertx.setTimer(POLL_MS, id -> wake.tryComplete());
            return wake.future().compose(ignored -> {
                vertx.cancelTimer(timer);
                cancel.run();
                return poll(vertx, changes, view, index, deadline);
            });
        });
    }
}
