package io.hypermesh.streams.api.kv;

import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.ConsulClientBus;
import io.hypermesh.streams.testing.Eventually;
import io.vertx.ext.consul.KeyValue;
import io.vertx.ext.consul.KeyValueOptions;
import io.vertx.ext.consul.Session;
import io.vertx.ext.consul.SessionBehavior;
import io.vertx.ext.consul.SessionOptions;
import io.vertx.ext.consul.TxnKVOperation;
import io.vertx.ext.consul.TxnKVVerb;
import io.vertx.ext.consul.TxnRequest;
import io.vertx.ext.consul.TxnResponse;
import io.vertx.ext.consul.Watch;
import io.vertx.ext.consul.WatchResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consul KV, sessions and transactions through a Consul client nobody here wrote:
 * {@code vertx-consul-client}, used against the bus exactly as against a Consul agent.
 */
@KafkaIT
class KvClientIT extends ConsulClientBus {
    static String prefix() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    }

    @Test
    void putGetCasRecurseAndKeysWithASeparator() {
        String p = prefix();
        assertTrue(await(consul.putValue(p + "app/name", "web")));
        assertTrue(await(consul.putValueWithOptions(p + "app/port", "8080", new KeyValueOptions().setFlags(42))));
        assertTrue(await(consul.putValue(p + "db/url", "jdbc:x")));
        KeyValue name = await(consul.getValue(p + "app/name"));
        assertEquals("web", name.getValue());
        assertEquals(name.getCreateIndex(), name.getModifyIndex());
        assertEquals(42, await(consul.getValue(p + "app/port")).getFlags());
        assertNull(await(consul.getValue(p + "absent")).getKey(), "a 404 is an empty value to this client");

        long stale = name.getModifyIndex() + 99;
        assertFalse(await(consul.putValueWithOptions(p + "app/name", "api", new KeyValueOptions().setCasIndex(stale))));
        assertTrue(await(consul.putValueWithOptions(p + "app/name", "api", new KeyValueOptions().setCasIndex(name.getModifyIndex()))));
        assertEquals("api", await(consul.getValue(p + "app/name")).getValue());
        assertTrue(await(consul.putValueWithOptions(p + "app/new", "x", new KeyValueOptions().setCasIndex(0))), "cas 0 creates");
        assertFalse(await(consul.putValueWithOptions(p + "app/new", "y", new KeyValueOptions().setCasIndex(0))), "only once");

        assertEquals(List.of(p + "app/name", p + "app/new", p + "app/port", p + "db/url"),
                await(consul.getValues(p)).getList().stream().map(KeyValue::getKey).toList());
        assertEquals(List.of(p + "app/name", p + "app/new", p + "app/port", p + "db/url"), await(consul.getKeys(p)));
        // The client has no separator option: the same call, by hand, as Consul documents it.
        assertEquals(List.of(p + "app/", p + "db/"), await(vertx.createHttpClient().request(io.vertx.core.http.HttpMethod.GET,
                options.getPort(), options.getHost(), "/v1/kv/" + p + "?keys&separator=/").compose(r -> r.send()
                .compose(io.vertx.core.http.HttpClientResponse::body))).toJsonArray().getList());

        await(consul.deleteValues(p + "app/"));
        assertEquals(List.of(p + "db/url"), await(consul.getKeys(p)));
    }

    @Test
    void aBlockingWatchFiresOncePerChange() throws Exception {
        String key = prefix() + "watched";
        String other = prefix() + "other";
        await(consul.putValue(key, "v0"));
        List<WatchResult<KeyValue>> seen = new CopyOnWriteArrayList<>();
        Watch<KeyValue> watch = Watch.key(key, vertx, options).setHandler(seen::add).start();
        try {
            Eventually.until(seen::size, n -> n == 1, Duration.ofSeconds(10), "the first answer");
            for (int i = 1; i <= 3; i++) {
                await(consul.putValue(other, "noise " + i));
                await(consul.putValue(key, "v" + i));
                int expected = i + 1;
                Eventually.until(seen::size, n -> n >= expected, Duration.ofSeconds(10), "change " + i);
            }
            Thread.sleep(1_500);
            assertEquals(4, seen.size(), "one answer per change of the key, none for the other key's");
            assertEquals(List.of("v0", "v1", "v2", "v3"), seen.stream().map(r -> r.nextResult().getValue()).toList());
        } finally {
            watch.stop();
        }
    }

    @Test
    void acquireAndReleaseAndADestroyedSessionReleasesItsLock() {
        String key = prefix() + "leader";
        String s1 = await(consul.createSessionWithOptions(new SessionOptions().setName("one").setLockDelay(0)));
        String s2 = await(consul.createSessionWithOptions(new SessionOptions().setName("two").setLockDelay(0)));
        Session info = await(consul.infoSession(s1));
        assertEquals(s1, info.getId());
        assertTrue(await(consul.putValueWithOptions(key, "one", new KeyValueOptions().setAcquireSession(s1))));
        assertFalse(await(consul.putValueWithOptions(key, "two", new KeyValueOptions().setAcquireSession(s2))), "held by one");
        assertEquals(s1, await(consul.getValue(key)).getSession());
        assertFalse(await(consul.putValueWithOptions(key, "two", new KeyValueOptions().setReleaseSession(s2))), "two holds nothing");
        assertTrue(await(consul.putValueWithOptions(key, "one", new KeyValueOptions().setReleaseSession(s1))));
        assertNull(await(consul.getValue(key)).getSession());
        assertTrue(await(consul.putValueWithOptions(key, "two", new KeyValueOptions().setAcquireSession(s2))));
        await(consul.destroySession(s2));
        assertNull(await(consul.getValue(key)).getSession(), "destroying the session released its lock");
        assertTrue(await(consul.listSessions()).getList().stream().noneMatch(s -> s.getId().equals(s2)));
        await(consul.destroySession(s1));
    }

    @Test
    void lockDelayHoldsALockBack() {
        String key = prefix() + "delayed";
        String s1 = await(consul.createSessionWithOptions(new SessionOptions().setLockDelay(3)));
        String s2 = await(consul.createSessionWithOptions(new SessionOptions().setLockDelay(3)));
        assertEquals(3, await(consul.infoSession(s1)).getLockDelay());
        assertTrue(await(consul.putValueWithOptions(key, "one", new KeyValueOptions().setAcquireSession(s1))));
        long destroyed = System.nanoTime();
        await(consul.destroySession(s1));
        assertFalse(await(consul.putValueWithOptions(key, "two", new KeyValueOptions().setAcquireSession(s2))), "inside the lock-delay");
        boolean won = Eventually.until(() -> await(consul.putValueWithOptions(key, "two", new KeyValueOptions().setAcquireSession(s2))),
                ok -> ok, Duration.ofSeconds(10), "the lock after its delay");
        assertTrue(won);
        assertTrue(System.nanoTime() - destroyed >= Duration.ofMillis(2_900).toNanos(), "not before the 3 s delay");
        await(consul.destroySession(s2));
    }

    @Test
    void aLapsedTtlSessionReleasesOrDeletesItsKeysWithinTwiceItsTtl() {
        String p = prefix();
        String released = await(consul.createSessionWithOptions(new SessionOptions().setTtl(10).setLockDelay(0)));
        String deleting = await(consul.createSessionWithOptions(new SessionOptions().setTtl(10).setLockDelay(0)
                .setBehavior(SessionBehavior.DELETE)));
        long started = System.nanoTime();
        assertTrue(await(consul.putValueWithOptions(p + "released", "x", new KeyValueOptions().setAcquireSession(released))));
        assertTrue(await(consul.putValueWithOptions(p + "deleted", "x", new KeyValueOptions().setAcquireSession(deleting))));
        Eventually.until(() -> await(consul.getValue(p + "released")).getSession() == null && await(consul.getValue(p + "deleted"))
                .getKey() == null, done -> done, Duration.ofSeconds(25), "both sessions lapsed");
        long took = System.nanoTime() - started;
        assertTrue(took >= Duration.ofSeconds(10).toNanos(), "not before the TTL");
        assertTrue(took <= Duration.ofSeconds(20).toNanos(), "within twice the TTL: " + Duration.ofNanos(took));
        assertEquals("x", await(consul.getValue(p + "released")).getValue(), "release keeps the value");
    }

    @Test
    void aFailedTransactionWritesNothing() {
        String p = prefix();
        await(consul.putValue(p + "b", "old"));
        TxnRequest failing = new TxnRequest()
                .addOperation(new TxnKVOperation().setType(TxnKVVerb.SET).setKey(p + "a").setValue("new"))
                .addOperation(new TxnKVOperation().setType(TxnKVVerb.SET).setKey(p + "b").setValue("new"))
                .addOperation(new TxnKVOperation().setType(TxnKVVerb.CHECK_INDEX).setKey(p + "b").setIndex(1));
        TxnResponse refused = await(consul.transaction(failing));
        assertEquals(1, refused.getErrorsSize());
        assertEquals(2, refused.getError(0).getOpIndex());
        assertEquals(0, refused.getResultsSize());
        assertNull(await(consul.getValue(p + "a")).getKey(), "nothing of the failed transaction was written");
        assertEquals("old", await(consul.getValue(p + "b")).getValue());

        TxnResponse applied = await(consul.transaction(new TxnRequest()
                .addOperation(new TxnKVOperation().setType(TxnKVVerb.SET).setKey(p + "a").setValue("new"))
                .addOperation(new TxnKVOperation().setType(TxnKVVerb.GET).setKey(p + "b"))));
        assertEquals(0, applied.getErrorsSize());
        assertEquals(2, applied.getResultsSize());
        KeyValue a = await(consul.getValue(p + "a"));
        assertEquals("new", a.getValue());
        assertEquals(a.getModifyIndex(), ((KeyValue) applied.getResult(0)).getModifyIndex());
        assertEquals("old", ((KeyValue) applied.getResult(1)).getValue());
    }
}
