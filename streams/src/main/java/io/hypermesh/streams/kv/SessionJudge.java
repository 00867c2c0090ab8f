package io.hypermesh.streams.kv;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.events.kv.SessionInvalidated;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.KvSession;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges TTL sessions on wall-clock time: one not renewed for one and a half times its TTL is
 * invalidated by an event written back to the log (Consul invalidates within twice the TTL; we
 * stay inside that with room for a judgement's second). The fold applies the verdict only if no
 * renewal came first, so a replay gives the same state.
 */
final class SessionJudge {
    private final ProcessorContext<String, Object> context;
    private final TreeMap<Long, Set<String>> dueAt = new TreeMap<>();
    private final Map<String, Long> deadlineOf = new HashMap<>();
    /** Verdicts sent and not yet read back: "id@renewedAt". */
    private final Set<String> pending = new HashSet<>();
    private final Map<String, Long> renewedAtOf = new HashMap<>();

    SessionJudge(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    /** When a session lapses: one and a half TTLs after its last renewal, or after {@code notBefore}. */
    static long deadline(KvSession s, long notBefore) {
        return Math.max(s.getRenewedAt(), notBefore) + s.getTtlMs() + s.getTtlMs() / 2;
    }

    void follow(KvSession s) {
        follow(s, 0);
    }

    /**
     * Follows a session whose TTL runs from its last renewal, but not from before {@code notBefore}:
     * a fold that starts (a restart, a move) gives every session a whole TTL again, as Consul's new
     * leader does, rather than ending those whose renewals it could not take while it was away.
     */
    void follow(KvSession s, long notBefore) {
        if (s.getTtlMs() <= 0) {
            return;
        }
        long deadline = deadline(s, notBefore);
        deadlineOf.put(s.getId(), deadline);
        renewedAtOf.put(s.getId(), s.getRenewedAt());
        dueAt.computeIfAbsent(deadline, d -> new HashSet<>()).add(s.getId());
    }

    void unfollow(KvSession s) {
        renewedAtOf.remove(s.getId());
        Long was = deadlineOf.remove(s.getId());
        if (was != null) {
            Set<String> ids = dueAt.get(was);
            ids.remove(s.getId());
            if (ids.isEmpty()) {
                dueAt.remove(was);
            }
        }
    }

    void readBack(String id, long renewedAt) {
        pending.remove(id + "@" + renewedAt);
    }

    /** Writes a verdict for every session past its deadline; each stays due until its verdict is applied or a renewal moves it. */
    void judge(long now) {
        List<String> due = new ArrayList<>();
        dueAt.headMap(now, false).values().forEach(due::addAll);
        for (String id : due) {
            // The verdict names the renewal it judged: a renewal logged before it wins.
            long renewedAt = renewedAtOf.get(id);
            if (pending.add(id + "@" + renewedAt)) {
                KvEvent verdict = Envelopes.wrap(Topics.KV, "session-ttl:" + id + ":" + renewedAt,
                        new EventSource("kv-fold", ComponentKind.STREAMS), Instant.ofEpochMilli(now),
                        new SessionInvalidated(id, "TTL expired", renewedAt));
                context.forward(new Record<>(id, (Object) verdict, now), KvTopology.VERDICT_SINK);
            }
        }
    }
}
