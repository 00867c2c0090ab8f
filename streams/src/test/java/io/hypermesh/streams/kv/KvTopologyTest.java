package io.hypermesh.streams.kv;

import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.events.kv.KvOp;
import io.hypermesh.events.kv.KvTxnRequested;
import io.hypermesh.events.kv.SessionCreated;
import io.hypermesh.events.kv.SessionDestroyed;
import io.hypermesh.events.kv.SessionInvalidated;
import io.hypermesh.events.kv.SessionRenewed;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvTopologyTest {
    private static final Instant T0 = DriverFixture.T0;
    @TempDir
    java.nio.file.Path dir;
    private DriverFixture fx;
    private TestInputTopic<String, KvEvent> in;
    private KeyValueStore<String, KvEntry> entries;
    private KeyValueStore<String, KvOutcome> outcomes;
    private final AppliedOffsets applied = new AppliedOffsets();
    private long offset = -1;

    @BeforeEach
    void start() {
        KvLimits limits = new KvLimits(10_000, 3, 3, Duration.ofMinutes(15), Duration.ofMinutes(2), Duration.ofSeconds(1));
        fx = new DriverFixture((settings, serdes) -> {
            org.apache.kafka.streams.Topology t = new org.apache.kafka.streams.Topology();
            KvTopology.addTo(t, serdes, limits, null, applied);
            return t;
        }, dir);
        in = fx.input(Topics.KV.name(), KvEvent.class);
        entries = fx.driver.getKeyValueStore(KvTopology.ENTRIES);
        outcomes = fx.driver.getKeyValueStore(KvTopology.OUTCOMES);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** Sends a request and returns what the fold decided for it. */
    private KvOutcome send(SpecificRecord payload, Instant at) {
        in.pipeInput("k", Envelopes.wrap(Topics.KV, DriverFixture.source("api"), payload), at);
        offset = applied.at(0);
        return outcomes.get(KvTopology.outcomeKey(offset));
    }

    private KvOutcome txn(Instant at, KvOp... ops) {
        return send(new KvTxnRequested(List.of(ops), "tester"), at);
    }

    private static KvOp op(String verb, String key, String value, long index, String session) {
        return new KvOp(verb, key, value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), 0L, index, session);
    }

    private static String value(KvEntry e) {
        return StandardCharsets.UTF_8.decode(e.getValue().duplicate()).toString();
    }

    private void session(String id, String behavior, long lockDelayMs, long ttlMs, Instant at) {
        assertTrue(send(new SessionCreated(id, "", "node-1", List.of("serfHealth"), List.of(), lockDelayMs, behavior,
                ttlMs == 0 ? "" : ttlMs / 1000 + "s", ttlMs, "tester"), at).getOk());
    }

    @Test
    void checkAndSetTakesTheIndexOfItsRequestAndRefusesAStaleOne() {
        KvOutcome created = txn(T0, op("cas", "app/config", "v1", 0, null));
        assertTrue(created.getOk(), "cas 0 creates an absent key");
        KvEntry entry = entries.get("app/config");
        assertEquals(offset + 1, entry.getModifyIndex(), "the index is the request's offset + 1");
        assertEquals(entry.getCreateIndex(), entry.getModifyIndex());
        assertFalse(txn(T0, op("cas", "app/config", "v2", 0, null)).getOk(), "cas 0 on a present key");
        KvOutcome stale = txn(T0, op("cas", "app/config", "v2", entry.getModifyIndex() + 7, null));
        assertEquals("failed to set key \"app/config\", index is stale", stale.getErrors().get(0).getWhat());
        assertTrue(txn(T0, op("cas", "app/config", "v2", entry.getModifyIndex(), null)).getOk());
        assertEquals("v2", value(entries.get("app/config")));
        assertEquals(entry.getCreateIndex(), entries.get("app/config").getCreateIndex());
    }

    @Test
    void aTransactionWithOneFailedOperationChangesNothing() {
        txn(T0, op("set", "b", "old", 0, null));
        KvOutcome failed = txn(T0, op("set", "a", "1", 0, null), op("delete", "b", null, 0, null),
                op("check-index", "b", null, 999, null));
        assertFalse(failed.getOk());
        assertEquals(2, failed.getErrors().get(0).getOpIndex());
        assertEquals("failed to check index, key \"b\" doesn't exist", failed.getErrors().get(0).getWhat(),
                "the check sees the delete before it: the key is gone inside the transaction");
        assertNull(entries.get("a"), "nothing of the transaction was applied");
        assertEquals("old", value(entries.get("b")));

        KvOutcome ok = txn(T0, op("set", "a", "1", 0, null), op("get", "b", null, 0, null), op("get-tree", "", null, 0, null));
        assertTrue(ok.getOk());
        assertEquals(List.of("a", "b", "a", "b"), ok.getResults().stream().map(KvEntry::getKey).toList());
        assertNull(ok.getResults().get(0).getValue(), "a set's result carries no value");
        assertEquals("old", value(ok.getResults().get(1)));
    }

    @Test
    void aLockIsHeldByOneSessionAndReleasedWithItAfterItsLockDelay() {
        session("s1", "release", 15_000, 0, T0);
        session("s2", "release", 15_000, 0, T0);
        assertTrue(txn(T0, op("lock", "service/leader", "me", 0, "s1")).getOk());
        assertEquals("failed to lock key \"service/leader\", lock is already held",
                txn(T0, op("lock", "service/leader", "you", 0, "s2")).getErrors().get(0).getWhat());
        assertEquals(1, entries.get("service/leader").getLockIndex());

        send(new SessionDestroyed("s1", "tester"), T0.plusSeconds(1));
        KvEntry released = entries.get("service/leader");
        assertNull(released.getSession(), "destroying the session released its lock");
        assertEquals("me", value(released), "release keeps the value");
        assertEquals("failed to lock key \"service/leader\" due to lock-delay",
                txn(T0.plusSeconds(10), op("lock", "service/leader", "you", 0, "s2")).getErrors().get(0).getWhat());
        assertTrue(txn(T0.plusSeconds(17), op("lock", "service/leader", "you", 0, "s2")).getOk(), "past the lock-delay");
        assertEquals(2, entries.get("service/leader").getLockIndex());
        assertEquals("s2", entries.get("service/leader").getSession());
        assertEquals("invalid session \"s1\"", txn(T0.plusSeconds(18), op("lock", "x", "", 0, "s1")).getErrors().get(0).getWhat());
    }

    @Test
    void aDeleteSessionTakesItsKeysWithItAndLeavesTombstones() {
        session("s1", "delete", 0, 0, T0);
        txn(T0, op("lock", "locks/a", "x", 0, "s1"));
        txn(T0, op("lock", "locks/b", "x", 0, "s1"));
        send(new SessionDestroyed("s1", "tester"), T0);
        assertNull(entries.get("locks/a"));
        assertNull(entries.get("locks/b"));
        KeyValueStore<String, Long> tombstones = fx.driver.getKeyValueStore(KvTopology.TOMBSTONES);
        assertEquals(offset + 1, tombstones.get("locks/a"), "deleted at the destroy's index");
        assertNull(fx.driver.<String, KvSession>getKeyValueStore(KvTopology.SESSIONS).get("s1"));
    }

    @Test
    void aTtlSessionNotRenewedIsInvalidatedThroughTheLogWithinTwiceItsTtl() {
        session("s1", "release", 0, 10_000, T0);
        txn(T0, op("lock", "leader", "me", 0, "s1"));
        fx.driver.advanceWallClockTime(Duration.ofSeconds(8));
        assertTrue(send(new SessionRenewed("s1", "tester"), T0.plusSeconds(8)).getOk());
        fx.driver.advanceWallClockTime(Duration.ofSeconds(12));
        assertEquals("s1", entries.get("leader").getSession(), "renewed at 8 s: alive at 20 s");
        fx.driver.advanceWallClockTime(Duration.ofSeconds(4));
        assertNull(entries.get("leader").getSession(), "lapsed 15 s after its renewal: released");
        assertNull(fx.driver.<String, KvSession>getKeyValueStore(KvTopology.SESSIONS).get("s1"));
    }

    @Test
    void aVerdictThatARenewalOvertookChangesNothing() {
        session("s1", "release", 0, 10_000, T0);
        send(new SessionRenewed("s1", "tester"), T0.plusSeconds(5));
        send(new SessionInvalidated("s1", "TTL expired", T0.toEpochMilli()), T0.plusSeconds(16));
        assertNotNull(fx.driver.<String, KvSession>getKeyValueStore(KvTopology.SESSIONS).get("s1"), "judged on an old renewal");
    }

    @Test
    void boundsAreEnforcedWithTheReason() {
        session("s1", "release", 0, 0, T0);
        session("s2", "release", 0, 0, T0);
        session("s3", "release", 0, 0, T0);
        KvOutcome fourth = send(new SessionCreated("s4", "", "n", List.of(), List.of(), 0L, "release", "", 0L, "t"), T0);
        assertEquals("the bus holds at most 3 sessions; destroy some first", fourth.getErrors().get(0).getWhat());
        String big = "x".repeat(6_000);
        assertTrue(txn(T0, op("set", "a", big, 0, null)).getOk());
        KvOutcome full = txn(T0, op("set", "b", big, 0, null));
        assertFalse(full.getOk());
        assertTrue(full.getErrors().get(0).getWhat().startsWith("the KV store holds at most 10000 bytes"));
        assertTrue(txn(T0, op("set", "a", "small", 0, null)).getOk(), "a write that shrinks the store passes");
    }

    @Test
    void historyKeepsTheLastVersionsWithWhoWroteThem() {
        for (int i = 1; i <= 5; i++) {
            txn(T0.plusSeconds(i), op("set", "conf", "v" + i, 0, null));
        }
        txn(T0.plusSeconds(6), op("delete", "conf", null, 0, null));
        KeyValueStore<String, KvVersion> history = fx.driver.getKeyValueStore(KvTopology.HISTORY);
        List<KvVersion> versions = new ArrayList<>();
        try (var it = history.prefixScan(KvTopology.historyPrefix("conf"), org.apache.kafka.common.serialization.Serdes.String()
                .serializer())) {
            it.forEachRemaining((KeyValue<String, KvVersion> kv) -> versions.add(kv.value));
        }
        assertEquals(3, versions.size(), "the bound of the test's limits");
        assertEquals(List.of("set", "set", "delete"), versions.stream().map(KvVersion::getVerb).toList());
        assertEquals("v4", StandardCharsets.UTF_8.decode(versions.get(0).getValue()).toString());
        assertTrue(versions.get(2).getDeleted());
        assertEquals("tester", versions.get(2).getBy());
        assertEquals(T0.plusSeconds(6), versions.get(2).getAt());
    }

    @Test
    void anUnchangedSetKeepsItsIndexAsConsulSkipsIt() {
        txn(T0, op("set", "k", "same", 0, null));
        long first = entries.get("k").getModifyIndex();
        KvOutcome again = txn(T0, op("set", "k", "same", 0, null));
        assertEquals(first, again.getResults().get(0).getModifyIndex());
        assertEquals(first, entries.get("k").getModifyIndex());
    }
}
