package io.hypermesh.streams.kv;

import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.events.kv.KvTxnRequested;
import io.hypermesh.events.kv.SessionCreated;
import io.hypermesh.events.kv.SessionDestroyed;
import io.hypermesh.events.kv.SessionInvalidated;
import io.hypermesh.events.kv.SessionRenewed;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOpError;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.InvalidEventException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The single writer of Consul KV and sessions: applies each request of {@code hypermesh.kv} in the
 * log's order, all of a transaction or none of it, and keeps the decision for the API that asked.
 * The index of every change is the request's offset + 1; "now" is the request's record time, so
 * lock-delays decide the same on a replay. Sessions' locks are released or deleted with the
 * session, as its Behavior says; lapsed TTL sessions are judged by {@link SessionJudge}.
 */
final class KvFold implements Processor<String, KvEvent, String, Object> {
    private final KvLimits limits;
    private final ChangeSignal changes;
    private final AppliedOffsets applied;
    private KeyValueStore<String, KvEntry> entries;
    private KeyValueStore<String, Long> tombstones;
    private KeyValueStore<String, KvSession> sessions;
    private KeyValueStore<String, KvVersion> history;
    private KeyValueStore<String, Long> meta;
    private KeyValueStore<String, KvOutcome> outcomes;
    /** The keys each session holds; rebuilt from the entries on every start. */
    private final Map<String, Set<String>> held = new HashMap<>();
    /** Keys whose lock is held back until (record time, ms), as Consul keeps them: in memory. */
    private final Map<String, Long> lockDelays = new HashMap<>();
    private final Housekeeping housekeeping = new Housekeeping();
    private SessionJudge judge;
    private ProcessorContext<String, Object> context;
    /** Live sessions, counted on every start and kept since. */
    private int sessionCount;

    KvFold(KvLimits limits, ChangeSignal changes, AppliedOffsets applied) {
        this.limits = limits;
        this.changes = changes;
        this.applied = applied;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        entries = context.getStateStore(KvTopology.ENTRIES);
        tombstones = context.getStateStore(KvTopology.TOMBSTONES);
        sessions = context.getStateStore(KvTopology.SESSIONS);
        history = context.getStateStore(KvTopology.HISTORY);
        meta = context.getStateStore(KvTopology.META);
        outcomes = context.getStateStore(KvTopology.OUTCOMES);
        judge = new SessionJudge(context);
        // Init runs after restoration: the memory indexes are what the restored stores say.
        try (KeyValueIterator<String, KvEntry> all = entries.all()) {
            all.forEachRemaining(kv -> hold(kv.value.getSession(), kv.key));
        }
        long now = System.currentTimeMillis();
        try (KeyValueIterator<String, KvSession> all = sessions.all()) {
            all.forEachRemaining(kv -> {
                judge.follow(kv.value, now);
                sessionCount++;
            });
        }
        try (KeyValueIterator<String, Long> all = tombstones.all()) {
            all.forEachRemaining(kv -> housekeeping.buried(kv.key, kv.value, now));
        }
        context.schedule(limits.judgeInterval(), PunctuationType.WALL_CLOCK_TIME, at -> {
            judge.judge(at);
            tidy(at);
        });
    }

    @Override
    public void process(Record<String, KvEvent> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        long offset = where.offset();
        try {
            KvEvent event = InvalidEventException.present(record.value(), Topics.KV.name());
            outcomes.put(KvTopology.outcomeKey(offset), decide(event.getPayload(), offset + 1, record.timestamp()));
        } finally {
            // A refused request too: the API waiting on it finds no decision and says so.
            if (applied != null) {
                applied.applied(where.partition(), offset);
            }
        }
    }

    private KvOutcome decide(Object payload, long index, long now) {
        if (payload instanceof KvTxnRequested txn) {
            InvalidEventException.require(!txn.getOps().isEmpty(), "a KV transaction with no operations");
            KvTxn applied = new KvTxn(source(), index, now, txn.getBy()).apply(txn.getOps());
            List<KvTxn.Change> changed = applied.changes();
            long growth = 0;
            for (KvTxn.Change c : changed) {
                growth += size(c.after()) - size(c.before());
            }
            if (growth > 0 && bytesHeld() + growth > limits.maxBytes()) {
                return outcome(index, now, List.of(), List.of(new KvOpError(0, "the KV store holds at most " + limits.maxBytes()
                        + " bytes of keys and values; this transaction would take it past that")));
            }
            commit(changed, index, now, txn.getBy());
            return outcome(index, now, applied.results(), applied.errors());
        }
        if (payload instanceof SessionCreated s) {
            if (sessions.get(s.getId()) != null) {
                return failed(index, now, "session \"" + s.getId() + "\" already exists");
            }
            if (sessionCount >= limits.maxSessions()) {
                return failed(index, now, "the bus holds at most " + limits.maxSessions() + " sessions; destroy some first");
            }
            KvSession session = KvSession.newBuilder().setId(s.getId()).setName(s.getName()).setNode(s.getNode())
                    .setNodeChecks(s.getNodeChecks()).setServiceChecks(s.getServiceChecks()).setLockDelayMs(s.getLockDelayMs())
                    .setBehavior(s.getBehavior()).setTtl(s.getTtl()).setTtlMs(s.getTtlMs()).setCreateIndex(index).setModifyIndex(index)
                    .setRenewedAt(now).setBy(s.getBy()).build();
            sessions.put(s.getId(), session);
            sessionCount++;
            judge.follow(session);
            sessionsChanged(index);
            return outcome(index, now, List.of(), List.of());
        }
        if (payload instanceof SessionRenewed r) {
            KvSession session = sessions.get(r.getId());
            if (session == null) {
                return failed(index, now, "Session id '" + r.getId() + "' not found");
            }
            judge.unfollow(session);
            session.setRenewedAt(Math.max(now, session.getRenewedAt()));
            sessions.put(r.getId(), session); // a renewal: nothing Consul shows
            judge.follow(session);
            return outcome(index, now, List.of(), List.of());
        }
        if (payload instanceof SessionDestroyed d) {
            invalidate(d.getId(), index, now, d.getBy());
            return outcome(index, now, List.of(), List.of());
        }
        if (payload instanceof SessionInvalidated v) {
            judge.readBack(v.getId(), v.getRenewedAt());
            KvSession session = sessions.get(v.getId());
            if (session != null && (v.getRenewedAt() < 0 || session.getRenewedAt() == v.getRenewedAt())) {
                invalidate(v.getId(), index, now, "session invalidated: " + v.getReason());
            }
            return outcome(index, now, List.of(), List.of());
        }
        throw new InvalidEventException("unknown KV event " + payload.getClass().getSimpleName());
    }

    /** Ends a session: its locks released or its keys deleted, as its Behavior says, each held back by its lock-delay. */
    private void invalidate(String id, long index, long now, String by) {
        KvSession session = sessions.get(id);
        if (session == null) {
            return;
        }
        List<KvTxn.Change> changed = new ArrayList<>();
        for (String key : new ArrayList<>(held.getOrDefault(id, Set.of()))) {
            KvEntry entry = entries.get(key);
            if (entry == null || !id.equals(entry.getSession())) {
                continue;
            }
            if (session.getBehavior().equals("delete")) {
                changed.add(new KvTxn.Change(key, entry, null, "session-delete"));
            } else {
                changed.add(new KvTxn.Change(key, entry, KvEntry.newBuilder(entry).setSession(null).setModifyIndex(index)
                        .setWrittenBy(by).setWrittenAt(Instant.ofEpochMilli(now)).build(), "session-release"));
            }
            if (session.getLockDelayMs() > 0) {
                lockDelays.put(key, now + session.getLockDelayMs());
            }
        }
        commit(changed, index, now, by);
        sessions.delete(id);
        sessionCount--;
        judge.unfollow(session);
        held.remove(id);
        sessionsChanged(index);
    }

    private void commit(List<KvTxn.Change> changed, long index, long now, String by) {
        if (changed.isEmpty()) {
            return;
        }
        long bytes = bytesHeld();
        for (KvTxn.Change c : changed) {
            String key = c.key();
            bytes += size(c.after()) - size(c.before());
            if (c.before() != null) {
                release(c.before().getSession(), key);
            }
            KvVersion.Builder version = KvVersion.newBuilder().setKey(key).setVerb(c.verb()).setModifyIndex(index).setBy(by)
                    .setAt(Instant.ofEpochMilli(now));
            if (c.after() == null) {
                entries.delete(key);
                tombstones.put(key, index);
                housekeeping.buried(key, index, System.currentTimeMillis());
                version.setDeleted(true);
            } else {
                entries.put(key, c.after());
                hold(c.after().getSession(), key);
                version.setValue(c.after().getValue()).setFlags(c.after().getFlags()).setSession(c.after().getSession());
            }
            remember(key, index, version.build());
            ring(KvTopology.keyScope(key));
        }
        meta.put(KvTopology.BYTES, bytes);
        meta.put(KvTopology.KV_INDEX, index);
        ring(KvTopology.SCOPE);
    }

    /** Adds a version to the key's history, dropping the oldest past the bound. */
    private void remember(String key, long index, KvVersion version) {
        String prefix = KvTopology.historyPrefix(key);
        history.put(prefix + String.format("%020d", index), version);
        List<String> versions = new ArrayList<>();
        try (KeyValueIterator<String, KvVersion> all = history.prefixScan(prefix, Serdes.String().serializer())) {
            all.forEachRemaining(kv -> versions.add(kv.key));
        }
        for (int i = 0; i < versions.size() - limits.historyPerKey(); i++) {
            history.delete(versions.get(i));
        }
    }

    /** Reaps old tombstones (raising the reaped index, so no view's index goes down) and forgets old decisions. */
    private void tidy(long now) {
        long reaped = housekeeping.reap(now - limits.tombstoneTtl().toMillis(), tombstones);
        if (reaped > 0) {
            Long before = meta.get(KvTopology.REAPED_INDEX);
            meta.put(KvTopology.REAPED_INDEX, Math.max(reaped, before == null ? 0 : before));
        }
        lockDelays.values().removeIf(until -> until < now - 60_000);
        List<String> old = new ArrayList<>();
        // Keyed by offset: the oldest come first.
        try (KeyValueIterator<String, KvOutcome> all = outcomes.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (kv.value.getDecidedAt() >= now - limits.outcomeTtl().toMillis()) {
                    break;
                }
                old.add(kv.key);
            }
        }
        old.forEach(outcomes::delete);
    }

    private KvTxn.Source source() {
        return new KvTxn.Source() {
            @Override
            public KvEntry get(String key) {
                return entries.get(key);
            }

            @Override
            public List<KvEntry> prefix(String prefix) {
                List<KvEntry> found = new ArrayList<>();
                try (KeyValueIterator<String, KvEntry> all = prefix.isEmpty() ? entries.all()
                        : entries.prefixScan(prefix, Serdes.String().serializer())) {
                    all.forEachRemaining(kv -> found.add(kv.value));
                }
                return found;
            }

            @Override
            public boolean sessionExists(String id) {
                return sessions.get(id) != null;
            }

            @Override
            public long lockDelayUntil(String key) {
                return lockDelays.getOrDefault(key, 0L);
            }
        };
    }

    private void hold(String session, String key) {
        if (session != null) {
            held.computeIfAbsent(session, s -> new HashSet<>()).add(key);
        }
    }

    private void release(String session, String key) {
        if (session != null && held.containsKey(session)) {
            held.get(session).remove(key);
        }
    }

    private long bytesHeld() {
        Long bytes = meta.get(KvTopology.BYTES);
        return bytes == null ? 0 : bytes;
    }

    private void sessionsChanged(long index) {
        meta.put(KvTopology.SESSIONS_INDEX, index);
        ring(KvTopology.SESSIONS_SCOPE);
    }

    private void ring(String scope) {
        if (changes != null) {
            changes.ring(scope);
        }
    }

    static long size(KvEntry e) {
        return e == null ? 0 : e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().remaining());
    }

    private static KvOutcome failed(long index, long now, String why) {
        return outcome(index, now, List.of(), List.of(new KvOpError(0, why)));
    }

    private static KvOutcome outcome(long index, long now, List<KvEntry> results, List<KvOpError> errors) {
        return new KvOutcome(index, errors.isEmpty(), errors.isEmpty() ? results : List.of(), errors, now);
    }
}
