package io.hypermesh.streams.api;

import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.Collection;
import java.util.function.BooleanSupplier;

/** How every blocking read here waits for a change: on the caller's Vert.x context, never spinning. */
public final class NextChange {
    private NextChange() {
    }

    /**
     * Completes with true at the next change in {@code scopes} (any change when null), or at once
     * when {@code missed} says one came since the caller last looked; with false after
     * {@code timeoutMs} or when {@code stop} (may be null) completes. Its listener and timer are
     * gone by then.
     */
    public static Future<Boolean> await(Vertx vertx, ChangeSignal changes, Collection<String> scopes, BooleanSupplier missed,
            long timeoutMs,
                                 Future<?> stop) {
        Promise<Boolean> woken = Promise.promise();
        Runnable cancel = changes.onNextChange(scopes, () -> vertx.runOnContext(v -> woken.tryComplete(true)));
        // Asked after listening, so a change just before is seen here and one just after rings.
        if (missed.getAsBoolean()) {
            woken.tryComplete(true);
        }
        long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> woken.tryComplete(false));
        if (stop != null) {
            stop.onComplete(v -> woken.tryComplete(false));
        }
        return woken.future().onComplete(v -> {
            vertx.cancelTimer(timer);
            cancel.run();
        });
    }
}
