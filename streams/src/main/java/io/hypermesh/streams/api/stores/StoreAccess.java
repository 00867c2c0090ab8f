package io.hypermesh.streams.api.stores;

import io.hypermesh.streams.api.AnswerBudget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.hypermesh.http.HttpTls;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads the folds' state stores across all instances of the application: a key is read where
 * Kafka Streams says its partition lives (here or over HTTP at that instance); a scan asks every
 * instance for its local part and merges in key order, so every instance gives the same answer.
 * While a rebalance moves partitions, reads are retried until {@link #READY_TIMEOUT}.
 */
public final class StoreAccess implements FoldStores {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Vertx vertx;
    private final KafkaStreams streams;
    private final HostInfo self;
    private final PeerClient peers;
    private final Map<String, Serde<?>> serdes;
    /**
     * Where reads of many entries run: few threads, so however many big reads are asked for at
     * once they take at most these cores, and the event loop and small reads keep the rest.
     */
    private final io.vertx.core.WorkerExecutor bulk;

    /** @param tls how to reach peers: with their certificate checked and this instance's shown */
    public StoreAccess(Vertx vertx, KafkaStreams streams, HostInfo self, Map<String, Serde<?>> serdesByStore,
                       HttpTls tls) {
        this.vertx = vertx;
        this.streams = streams;
        this.self = self;
        this.peers = new PeerClient(vertx, tls);
        this.serdes = serdesByStore;
        this.bulk = vertx.createSharedWorkerExecutor("hypermesh-store-bulk", BULK_THREADS);
    }

    static final int BULK_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    @Override
    public <V> Future<Optional<V>> get(String store, String key) {
        return retrying(() -> getOnce(store, key));
    }

    /**
     * The values of many keys, each read where its partition lives: one call per instance that
     * owns any of them, not one per key. Absent keys are absent from the answer.
     */
    @Override
    public <V> Future<Map<String, V>> getAll(String store, Collection<String> keys) {
        return retrying(() -> getAllOnce(store, keys));
    }

    /** Every entry whose key starts with {@code prefix} (all when null), from all instances, in key order. */
    @Override
    public <V> Future<List<V>> scan(String store, String prefix) {
        return retrying(() -> scanOnce(store, prefix, true));
    }

    /** As {@link #scan(String, String)}, from every instance but this one. */
    @Override
    public <V> Future<List<V>> scanOthers(String store, String prefix) {
        return retrying(() -> scanOnce(store, prefix, false));
    }

    private <V> Future<Optional<V>> getOnce(String store, String key) {
        KeyQueryMetadata where = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE) || streams.state() != KafkaStreams.State.RUNNING) {
            return Future.failedFuture(new StoreNotReadyException("store " + store + " is not available yet (" + streams.state() + ")"));
        }
        if (where.activeHost().equals(self)) {
            return vertx.executeBlocking(() -> Optional.<V>ofNullable(localGet(store, key, where.partition())), false);
        }
        return peers.value(where.activeHost(), store, key, where.partition())
                .map(value -> Optional.ofNullable(value == null ? null : this.<V>decode(store, value)));
    }

    private <V> Future<Map<String, V>> getAllOnce(String store, Collection<String> keys) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Future.failedFuture(new StoreNotReadyException("store " + store + " is not available yet (" + streams.state() + ")"));
        }
        // Finding each key's owner costs a serialisation and a hash: thousands of them off the event loop.
        return keys.size() <= AnswerBudget.INLINE_ENTRIES ? fetchAll(store, owners(store, keys))
                : bulk.executeBlocking(() -> owners(store, keys), false).compose(owners -> fetchAll(store, owners));
    }

    /** Each key's partition, by the instance that owns it. */
    private Map<HostInfo, Map<String, Integer>> owners(String store, Collection<String> keys) {
        Map<HostInfo, Map<String, Integer>> partitionsByHost = new HashMap<>();
        for (String key : keys) {
            KeyQueryMetadata where = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
            if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                throw new StoreNotReadyException("store " + store + " has no owner for a key yet");
            }
            partitionsByHost.computeIfAbsent(where.activeHost(), h -> new HashMap<>()).put(key, where.partition());
        }
        return partitionsByHost;
    }

    private <V> Future<Map<String, V>> fetchAll(String store, Map<HostInfo, Map<String, Integer>> partitionsByHost) {
        List<Future<Map<String, V>>> parts = new ArrayList<>();
        partitionsByHost.forEach((host, partitions) -> {
            if (host.equals(self)) {
                // A few point reads: cheaper on the event loop than a hop to a worker and back; many
                // (a service of thousands) on a worker, so one big read never holds the event loop.
                parts.add(partitions.size() <= AnswerBudget.INLINE_ENTRIES ? Future.succeededFuture(this.<V>localGetAll(store, partitions))
                        : bulk.executeBlocking(() -> this.<V>localGetAll(store, partitions), false));
                return;
            }
            parts.add(peers.values(host, store, partitions).map(encoded -> {
                Map<String, V> values = new HashMap<>();
                encoded.forEach((k, v) -> values.put(k, decode(store, v)));
                return values;
            }));
        });
        return Future.all(parts).map(all -> {
            Map<String, V> merged = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                merged.putAll(all.<Map<String, V>>resultAt(i));
            }
            return merged;
        });
    }

    private <V> Future<List<V>> scanOnce(String store, String prefix, boolean includeSelf) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Future.failedFuture(new StoreNotReadyException("store " + store + " is not available yet (" + streams.state() + ")"));
        }
        List<Future<Map<String, V>>> parts = new ArrayList<>();
        for (StreamsMetadata instance : streams.streamsMetadataForStore(store)) {
            if (instance.hostInfo().equals(self)) {
                if (!includeSelf) {
                    continue;
                }
                // On a worker even for a prefix: one service may hold thousands of instances.
                parts.add(prefix == null ? bulk.executeBlocking(() -> this.<V>localScan(store, null), false)
                        : vertx.executeBlocking(() -> this.<V>localScan(store, prefix), false));
            } else {
                parts.add(peers.scan(instance.hostInfo(), store, prefix).map(encoded -> {
                    Map<String, V> entries = new TreeMap<>();
                    encoded.forEach((k, v) -> entries.put(k, decode(store, v)));
                    return entries;
                }));
            }
        }
        if (parts.size() == 1) {
            return parts.get(0).map(only -> new ArrayList<>(only.values())); // already in key order
        }
        return Future.all(parts).map(all -> {
            TreeMap<String, V> merged = new TreeMap<>();
            for (int i = 0; i < all.size(); i++) {
                merged.putAll(all.<Map<String, V>>resultAt(i));
            }
            return new ArrayList<>(merged.values());
        });
    }

    /** This instance's value for a key, for a peer that routed the read here; null when absent. */
    public <V> V localGet(String store, String key, int partition) {
        try {
            return this.<V>localPartition(store, partition).get(key);
        } catch (InvalidStateStoreException e) {
            throw new StoreNotReadyException("partition " + partition + " of " + store + " is not active here: " + e.getMessage());
        }
    }

    /** This instance's values for keys in any partition it holds; absent keys are left out. */
    public <V> Map<String, V> localGetAll(String store, Collection<String> keys) {
        try {
            ReadOnlyKeyValueStore<String, V> local = streams.store(StoreQueryParameters
                    .fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()));
            Map<String, V> values = new HashMap<>();
            for (String key : keys) {
                V value = local.get(key);
                if (value != null) {
                    values.put(key, value);
                }
            }
            return values;
        } catch (InvalidStateStoreException e) {
            throw new StoreNotReadyException("store " + store + " is not queryable here: " + e.getMessage());
        }
    }

    /** This instance's values for keys a peer routed here (key to partition); absent keys are left out. */
    public <V> Map<String, V> localGetAll(String store, Map<String, Integer> partitionByKey) {
        Map<Integer, ReadOnlyKeyValueStore<String, V>> partitions = new HashMap<>();
        Map<String, V> values = new HashMap<>();
        partitionByKey.forEach((key, partition) -> {
            ReadOnlyKeyValueStore<String, V> local = partitions.computeIfAbsent(partition, p -> localPartition(store, p));
            V value = local.get(key);
            if (value != null) {
                values.put(key, value);
            }
        });
        return values;
    }

    private <V> ReadOnlyKeyValueStore<String, V> localPartition(String store, int partition) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new StoreNotReadyException("partition " + partition + " of " + store + " is not active here: " + e.getMessage());
        }
    }

    /** This instance's active part of a store, only keys starting with {@code prefix} unless it is null. */
    public <V> Map<String, V> localScan(String store, String prefix) {
        try {
            ReadOnlyKeyValueStore<String, V> local = streams.store(StoreQueryParameters
                    .fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()));
            Map<String, V> entries = new TreeMap<>();
            try (KeyValueIterator<String, V> it = prefix == null ? local.all() : local.prefixScan(prefix, Serdes.String().serializer())) {
                it.forEachRemaining(kv -> entries.put(kv.key, kv.value));
            }
            return entries;
        } catch (InvalidStateStoreException e) {
            throw new StoreNotReadyException("store " + store + " is not queryable here: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    /** Whether {@code store} is one this instance serves to its peers. */
    public boolean serves(String store) {
        return serdes.containsKey(store);
    }

    public String encode(String store, Object value) {
        Serde<Object> serde = (Serde<Object>) (Serde<?>) serdes.get(store);
        return value == null ? null : Base64.getEncoder().encodeToString(serde.serializer().serialize(store, value));
    }

    @SuppressWarnings("unchecked")
    private <V> V decode(String store, String base64) {
        Serde<V> serde = (Serde<V>) (Serde<?>) serdes.get(store);
        return serde.deserializer().deserialize(store, Base64.getDecoder().decode(base64));
    }

    private <T> Future<T> retrying(Supplier<Future<T>> attempt) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        return retry(attempt, deadline);
    }

    private <T> Future<T> retry(Supplier<Future<T>> attempt, long deadline) {
        Future<T> tried;
        try {
            tried = attempt.get();
        } catch (org.apache.kafka.streams.errors.StreamsException | StoreNotReadyException e) {
            // Rebalancing: metadata, stores and state can change between two calls.
            tried = Future.failedFuture(e instanceof StoreNotReadyException ? e : new StoreNotReadyException(e.getMessage()));
        }
        return tried.recover(failure -> {
            boolean transientFailure = failure instanceof StoreNotReadyException
                    || failure instanceof org.apache.kafka.streams.errors.StreamsException;
            if (!transientFailure || System.nanoTime() > deadline) {
                return Future.failedFuture(failure);
            }
            return vertx.timer(200).compose(ignored -> retry(attempt, deadline));
        });
    }

    /** The instance whose folds take {@code partition} of an input topic; empty while none does or the streams are not running. */
    public Optional<HostInfo> owner(org.apache.kafka.common.TopicPartition partition) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Optional.empty();
        }
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (m.topicPartitions().contains(partition)) {
                return Optional.of(m.hostInfo());
            }
        }
        return Optional.empty();
    }

    /** Whether other instances hold parts of the stores: their changes do not ring here, so views poll for them. */
    @Override
    public boolean othersHoldParts() {
        return streams.metadataForAllStreamsClients().size() > 1;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public HostInfo self() {
        return self;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** How this instance asks its peers. */
    public PeerClient peers() {
        return peers;
    }

    @Override
    public List<HostInfo> instances() {
        List<HostInfo> all = new java.util.ArrayList<>();
        streams.metadataForAllStreamsClients().forEach(m -> all.add(m.hostInfo()));
        return all;
    }
}
