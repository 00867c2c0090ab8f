package io.hypermesh.streams.kv;

import io.hypermesh.events.kv.KvOp;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOpError;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One Consul transaction applied to the KV state, by Consul's rules (state/txn.go, state/kvs.go):
 * every operation sees the ones before it, every change takes the transaction's index, and the
 * changes are kept aside until {@link #changes()} is asked for, so a transaction with any error
 * changes nothing. Pure: the state it reads comes through {@link Source}.
 */
final class KvTxn {
    /** What a transaction reads: the committed entries, the sessions, the lock delays. */
    interface Source {
        KvEntry get(String key);

        /** The committed entries under {@code prefix}, in key order. */
        List<KvEntry> prefix(String prefix);

        boolean sessionExists(String id);

        /** Until when (record time, ms) a lock of {@code key} is held back; 0 for no delay. */
        long lockDelayUntil(String key);
    }

    /** One key's change: what it was and what it became (null for deleted), and by which verb. */
    record Change(String key, KvEntry before, KvEntry after, String verb) {
    }

    private final Source source;
    private final long index;
    private final long now;
    private final String by;
    /** Keys this transaction wrote: an empty Optional for a delete. */
    private final TreeMap<String, Optional<KvEntry>> written = new TreeMap<>();
    private final Map<String, String> verbs = new TreeMap<>();
    private final List<KvEntry> results = new ArrayList<>();
    private final List<KvOpError> errors = new ArrayList<>();
    /** Value bytes of the results so far: the decision is kept in memory until its client reads it. */
    private long resultBytes;
    private int counted;

    KvTxn(Source source, long index, long now, String by) {
        this.source = source;
        this.index = index;
        this.now = now;
        this.by = by;
    }

    /** Applies every operation in order; each one's failure is kept with its position. */
    KvTxn apply(List<KvOp> ops) {
        for (int i = 0; i < ops.size(); i++) {
            String failure = apply(ops.get(i));
            if (failure == null && resultBytes() > MAX_RESULT_BYTES) {
                failure = "the results of this transaction pass " + MAX_RESULT_BYTES + " bytes: read a big tree with GET /v1/kv/<prefix>"
                        + "?recurse";
            }
            if (failure != null) {
                errors.add(new KvOpError(i, failure));
            }
        }
        return this;
    }

    /** The most value bytes a transaction's results may carry. */
    static final long MAX_RESULT_BYTES = 2L * 1024 * 1024;

    private long resultBytes() {
        for (; counted < results.size(); counted++) {
            KvEntry e = results.get(counted);
            resultBytes += e.getValue() == null ? 0 : e.getValue().remaining();
        }
        return resultBytes;
    }

    boolean ok() {
        return errors.isEmpty();
    }

    List<KvEntry> results() {
        return ok() ? results : List.of();
    }

    List<KvOpError> errors() {
        return errors;
    }

    /** What the transaction changed, key by key; nothing when it failed. Unchanged rewrites are left out, as Consul skips them. */
    List<Change> changes() {
        List<Change> changes = new ArrayList<>();
        if (!ok()) {
            return changes;
        }
        written.forEach((key, after) -> {
            KvEntry before = source.get(key);
            if (before != null || after.isPresent()) {
                if (after.isEmpty() || before == null || before.getModifyIndex() != after.get().getModifyIndex()) {
                    changes.add(new Change(key, before, after.orElse(null), verbs.get(key)));
                }
            }
        });
        return changes;
    }

    private KvEntry current(String key) {
        Optional<KvEntry> mine = written.get(key);
        return mine != null ? mine.orElse(null) : source.get(key);
    }

    private List<KvEntry> under(String prefix) {
        TreeMap<String, KvEntry> all = new TreeMap<>();
        for (KvEntry e : source.prefix(prefix)) {
            all.put(e.getKey(), e);
        }
        for (var e : written.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (e.getValue().isPresent()) {
                all.put(e.getKey(), e.getValue().get());
            } else {
                all.remove(e.getKey());
            }
        }
        return new ArrayList<>(all.values());
    }

    /** Null when the operation succeeded, else Consul's words for why not. */
    private String apply(KvOp op) {
        String key = op.getKey();
        KvEntry existing = current(key);
        switch (op.getVerb()) {
            case "set" -> set(op, existing, existing == null ? null : existing.getSession(),
                    existing == null ? 0 : existing.getLockIndex());
            case "cas" -> {
                boolean matches = op.getIndex() == 0 ? existing == null : existing != null && existing.getModifyIndex() == op.getIndex();
                if (!matches) {
                    return "failed to set key \"" + key + "\", index is stale";
                }
                set(op, existing, existing == null ? null : existing.getSession(), existing == null ? 0 : existing.getLockIndex());
            }
            case "lock" -> {
                String session = op.getSession();
                if (session == null || session.isEmpty()) {
                    return "missing session";
                }
                if (!source.sessionExists(session)) {
                    return "invalid session \"" + session + "\"";
                }
                if (source.lockDelayUntil(key) > now) {
                    return "failed to lock key \"" + key + "\" due to lock-delay";
                }
                if (existing != null && existing.getSession() != null && !existing.getSession().equals(session)) {
                    return "failed to lock key \"" + key + "\", lock is already held";
                }
                boolean held = existing != null && session.equals(existing.getSession());
                long lockIndex = existing == null ? 1 : held ? existing.getLockIndex() : existing.getLockIndex() + 1;
                set(op, existing, session, lockIndex);
            }
            case "unlock" -> {
                String session = op.getSession();
                if (session == null || session.isEmpty()) {
                    return "missing session";
                }
                if (existing == null || !session.equals(existing.getSession())) {
                    return "failed to unlock key \"" + key + "\", lock isn't held, or is held by another session";
                }
                set(op, existing, null, existing.getLockIndex());
            }
            case "get" -> {
                if (existing == null) {
                    return "key \"" + key + "\" doesn't exist";
                }
                results.add(existing);
            }
            case "get-or-empty" -> results.add(existing != null ? existing
                    : KvEntry.newBuilder().setKey(key).setValue(null).setFlags(op.getFlags()).setCreateIndex(0)
                            .setModifyIndex(op.getIndex()).setSession(op.getSession()).setWrittenAt(java.time.Instant.ofEpochMilli(0))
                            .build());
            case "get-tree" -> results.addAll(under(key));
            case "check-index" -> {
                if (existing == null) {
                    return "failed to check index, key \"" + key + "\" doesn't exist";
                }
                if (existing.getModifyIndex() != op.getIndex()) {
                    return "failed index check for key \"" + key + "\", current modify index " + existing.getModifyIndex() + " != "
                            + op.getIndex();
                }
                results.add(withoutValue(existing));
            }
            case "check-session" -> {
                if (existing == null) {
                    return "failed to check session, key \"" + key
                            + "\" doesn't exist";
                }
                String session = Objects.toString(op.getSession(), "");
                if (!Objects.toString(existing.getSession(), "").equals(session)) {
                    return "failed session check for key \"" + key + "\", current session \"" + Objects.toString(existing.getSession(), "")
                            + "\" != \"" + session + "\"";
                }
                results.add(withoutValue(existing));
            }
            case "check-not-exists" -> {
                if (existing != null) {
                    return "key \"" + key + "\" exists";
                }
            }
            case "delete" -> delete(key, "delete");
            case "delete-cas" -> {
                if (existing == null) {
                    // Consul: deleting what is not there with CAS succeeds.
                    return null;
                }
                if (existing.getModifyIndex() != op.getIndex()) {
                    return "failed to delete key \"" + key + "\", index is stale";
                }
                delete(key, "delete-cas");
            }
            case "delete-tree" -> {
                for (KvEntry e : under(key)) {
                    delete(e.getKey(), "delete-tree");
                }
            }
            default -> {
                return "unknown KV verb \"" + op.getVerb() + "\"";
            }
        }
        return null;
    }

    private void set(KvOp op, KvEntry existing, String session, long lockIndex) {
        ByteBuffer value = op.getValue();
        boolean same = existing != null && existing.getFlags() == op.getFlags() && Objects.equals(existing.getSession(), session)
                && existing.getLockIndex() == lockIndex && Objects.equals(bytes(existing.getValue()), bytes(value));
        KvEntry next = same ? existing : KvEntry.newBuilder().setKey(op.getKey()).setValue(value == null ? null : value.duplicate())
                .setFlags(op.getFlags()).setCreateIndex(existing == null ? index : existing.getCreateIndex()).setModifyIndex(index)
                .setLockIndex(lockIndex).setSession(session).setWrittenBy(by).setWrittenAt(java.time.Instant.ofEpochMilli(now)).build();
        written.put(op.getKey(), Optional.of(next));
        verbs.put(op.getKey(), op.getVerb());
        results.add(withoutValue(next));
    }

    private void delete(String key, String verb) {
        if (current(key) != null) {
            written.put(key, Optional.empty());
            verbs.put(key, verb);
        }
    }

    private static ByteBuffer bytes(ByteBuffer b) {
        return b == null || !b.hasRemaining() ? null : b.duplicate();
    }

    static KvEntry withoutValue(KvEntry e) {
        return KvEntry.newBuilder(e).setValue(null).build();
    }
}
