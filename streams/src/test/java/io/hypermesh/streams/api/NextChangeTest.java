package io.hypermesh.streams.api;

import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NextChangeTest {
    final Vertx vertx = Vertx.vertx();
    final ChangeSignal changes = new ChangeSignal();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Starts the wait on a Vert.x context, as the API does, and gives its outcome and how long it took. */
    private CompletableFuture<long[]> await(Supplier<Future<Boolean>> wait) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            long start = System.nanoTime();
            wait.get().onComplete(r -> done.complete(new long[]{r.result() ? 1 : 0, (System.nanoTime() - start) / 1_000_000}));
        });
        return done;
    }

    @Test
    void aChangeInTheScopeWakesItAndAnotherScopeDoesNot() throws Exception {
        CompletableFuture<long[]> woken = await(() -> NextChange.await(vertx, changes, List.of("web"), () -> false, 30_000, null));
        Thread.sleep(100);
        changes.ring("db");
        Thread.sleep(100);
        assertFalse(woken.isDone(), "another scope's change does not wake it");
        changes.ring("web");
        long[] outcome = woken.get(5, TimeUnit.SECONDS);
        assertEquals(1, outcome[0], "woken by the change");
    }

    @Test
    void aChangeItMissedBeforeListeningWakesItAtOnce() throws Exception {
        long[] outcome = await(() -> NextChange.await(vertx, changes, List.of("web"), () -> true, 30_000, null)).get(5, TimeUnit.SECONDS);
        assertEquals(1, outcome[0]);
        assertTrue(outcome[1] < 1_000, "not after the timeout: " + outcome[1] + " ms");
    }

    @Test
    void withoutAChangeItEndsAtTheTimeoutOrWhenStopped() throws Exception {
        long[] timedOut = await(() -> NextChange.await(vertx, changes, null, () -> false, 200, null)).get(5, TimeUnit.SECONDS);
        assertEquals(0, timedOut[0], "no change: false");
        assertTrue(timedOut[1] >= 190, "not before the timeout: " + timedOut[1] + " ms");

        Promise<Void> stop = Promise.promise();
        CompletableFuture<long[]> stopped = await(() -> NextChange.await(vertx, changes, null, () -> false, 30_000, stop.future()));
        Thread.sleep(100);
        vertx.runOnContext(v -> stop.complete());
        assertEquals(0, stopped.get(5, TimeUnit.SECONDS)[0], "stopped: false, long before its timeout");
    }
}
