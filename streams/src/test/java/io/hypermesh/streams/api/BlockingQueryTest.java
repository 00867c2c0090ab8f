package io.hypermesh.streams.api;

import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One wait rule and one index rule for every blocking view, Consul's and ours. */
class BlockingQueryTest {
    final Vertx vertx = Vertx.vertx();
    final ChangeSignal changes = new ChangeSignal();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void indexIsAnUnsignedNumberAndWaitAGoDurationCappedAtTenMinutes() {
        assertEquals(0, BlockingQuery.parseIndex(null));
        assertEquals(-1L, BlockingQuery.parseIndex("18446744073709551615"), "uint64, as Consul's indexes are");
        assertEquals("Invalid index", assertThrows(ApiException.class, () -> BlockingQuery.parseIndex("-1")).getMessage());
        assertEquals(1_500_000_000L, BlockingQuery.parseWaitNanos("1.5s"));
        assertEquals(BlockingQuery.MAX_WAIT.toNanos(), BlockingQuery.parseWaitNanos("1h"));
        assertEquals(BlockingQuery.DEFAULT_WAIT.toNanos(), BlockingQuery.parseWaitNanos(null));
        assertEquals("Invalid wait time", assertThrows(ApiException.class, () -> BlockingQuery.parseWaitNanos("10")).getMessage(),
                "a number without a unit is not a Go duration");
    }

    @Test
    void aChangeInWhatTheViewDependsOnEndsTheWaitWithTheNewReading() throws Exception {
        AtomicLong index = new AtomicLong(7);
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Long> answer = new CompletableFuture<>();
        List<String> scopes = List.of("web");
        vertx.runOnContext(v -> BlockingQuery.await(vertx, changes, () -> {
                    reads.incrementAndGet();
                    return Future.succeededFuture(index.get());
                }, idx -> idx > 7, idx -> scopes, scopes, System.nanoTime() + 30_000_000_000L, () -> false)
                .onSuccess(answer::complete));
        Thread.sleep(300);
        changes.ring("db");
        Thread.sleep(300);
        assertFalse(answer.isDone(), "a change elsewhere does not end it");
        index.set(8);
        changes.ring("web");
        assertEquals(8L, answer.get(5, TimeUnit.SECONDS));
        assertEquals(2, reads.get(), "read once at the start and once at the change: no polling without peers");
    }

    @Test
    void withoutAChangeTheWaitEndsAtItsDeadlineWithTheSameReading() throws Exception {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        long start = System.nanoTime();
        vertx.runOnContext(v -> BlockingQuery.await(vertx, changes, () -> Future.succeededFuture(7L), idx -> idx != 7,
                idx -> null, null, System.nanoTime() + 300_000_000L, () -> false).onSuccess(answer::complete));
        assertEquals(7L, answer.get(5, TimeUnit.SECONDS));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertFalse(tookMs < 250, "waited until the deadline: " + tookMs + " ms");
    }
}
