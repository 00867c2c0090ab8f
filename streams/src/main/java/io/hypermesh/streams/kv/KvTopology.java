package io.hypermesh.streams.kv;

import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Consul KV and sessions: {@code hypermesh.kv} (one partition) folds into the entries, sessions,
 * tombstones and history of {@link KvFold}, the single writer that decides every check-and-set,
 * lock and transaction in the log's order. What it decided for each request is kept a while in
 * {@link #OUTCOMES} (memory only) for the API that asked; a session's TTL lapse is judged on
 * wall-clock time and written back to the log as an event, so a replay decides the same.
 */
public final class KvTopology {
    public static final String ENTRIES = "kv-entries";
    /** Deleted keys and the index of their deletion, so a prefix's index never goes down. */
    public static final String TOMBSTONES = "kv-tombstones";
    public static final String SESSIONS = "kv-sessions";
    /** "key NUL 20-digit index" to what that change left. */
    public static final String HISTORY = "kv-history";
    /** Table indexes: {@link #KV_INDEX}, {@link #SESSIONS_INDEX}, {@link #REAPED_INDEX}, and {@link #BYTES} held. */
    public static final String META = "kv-meta";
    /** The decision for each request, by its offset as {@link #outcomeKey}. */
    public static final String OUTCOMES = "kv-outcomes";
    public static final String KV_INDEX = "kv";
    public static final String SESSIONS_INDEX = "sessions";
    public static final String REAPED_INDEX = "reaped";
    public static final String BYTES = "bytes";
    /** Change scopes: any KV change, one key's, and the sessions'. */
    public static final String SCOPE = "kv";
    public static final String SESSIONS_SCOPE = "kv-sessions";
    static final char SEPARATOR = '\u0000';
    static final String SOURCE = "kv-events";
    static final String FOLD = "kv-fold";
    static final String VERDICT_SINK = "kv-verdicts-out";

    private KvTopology() {
    }

    public static String keyScope(String key) {
        return "kv:" + key;
    }

    public static String outcomeKey(long offset) {
        return String.format("%020d", offset);
    }

    /** The {@link #HISTORY} key prefix of one key's versions. */
    public static String historyPrefix(String key) {
        return key + SEPARATOR;
    }

    public static Topology build(BusSerdes serdes, KvLimits limits) {
        Topology topology = new Topology();
        addTo(topology, serdes, limits, null, null);
        return topology;
    }

    /**
     * @param changes rung with the scopes of each change; null for none
     * @param applied told the offset of every request decided; null for none
     */
    public static void addTo(Topology topology, BusSerdes serdes, KvLimits limits, ChangeSignal changes, AppliedOffsets applied) {
        var events = serdes.of(KvEvent.class);
        topology.addSource(SOURCE, Serdes.String().deserializer(), events.deserializer(), Topics.KV.name());
        topology.addProcessor(FOLD, () -> new KvFold(limits, changes, applied), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ENTRIES), Serdes.String(),
                serdes.of(KvEntry.class)), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TOMBSTONES), Serdes.String(), Serdes.Long()),
                FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSIONS), Serdes.String(),
                serdes.of(KvSession.class)), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY), Serdes.String(),
                serdes.of(KvVersion.class)), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(META), Serdes.String(), Serdes.Long()), FOLD);
        // Decisions matter only to a request still waiting: memory, no changelog.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(OUTCOMES), Serdes.String(),
                serdes.of(KvOutcome.class)).withLoggingDisabled(), FOLD);
        topology.addSink(VERDICT_SINK, Topics.KV.name(), Serdes.String().serializer(), events.serializer(), FOLD);
    }
}
