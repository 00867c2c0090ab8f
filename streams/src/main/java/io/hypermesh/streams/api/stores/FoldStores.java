package io.hypermesh.streams.api.stores;

import io.vertx.core.Future;
import org.apache.kafka.streams.state.HostInfo;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the query API's handlers read: the folds' stores, wherever their partitions live. The
 * running bus answers through {@link StoreAccess}; a handler's test answers from a map.
 */
public interface FoldStores {
    <V> Future<Optional<V>> get(String store, String key);

    /** The values of many keys; absent keys are absent from the answer. */
    <V> Future<Map<String, V>> getAll(String store, Collection<String> keys);

    /** Every entry whose key starts with {@code prefix} (all when null), from all instances, in key order. */
    <V> Future<List<V>> scan(String store, String prefix);

    /** As {@link #scan(String, String)}, from every instance but this one. */
    <V> Future<List<V>> scanOthers(String store, String prefix);

    /** Every entry of a store, from all instances, in key order. */
    default <V> Future<List<V>> scan(String store) {
        return scan(store, null);
    }

    /** Whether other instances hold parts of the stores (then their changes may come late: look now and then). */
    boolean othersHoldParts();

    /** Where this instance answers. */
    HostInfo self();

    /** Every instance of the folds, this one included. */
    List<HostInfo> instances();
}
