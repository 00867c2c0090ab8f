package io.hypermesh.streams.api.consul;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.registry.RegistryTopology;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/** The registry fold's state as Consul's views need it, read from whichever instance owns each part. */
public final class RegistryReader {
    private final FoldStores stores;
    private final ConsulIndexes local;

    public RegistryReader(FoldStores stores, ConsulIndexes local) {
        this.stores = stores;
        this.local = local;
    }

    /** The instances of one service, in instance id order. */
    Future<List<ServiceInstance>> service(String name) {
        return byService(stores, RegistryTopology.servicePrefix(name));
    }

    /** Every instance, by service then instance id. */
    public Future<List<ServiceInstance>> all() {
        return byService(stores, null);
    }

    /**
     * The instances whose by-service key starts with {@code prefix} (all when null), by service
     * then instance id: their ids from the index, then the instances themselves, each read where
     * its partition lives. One removed between the two reads is left out.
     */
    public static Future<List<ServiceInstance>> byService(FoldStores stores, String prefix) {
        return stores.<String>scan(RegistryTopology.BY_SERVICE_STORE, prefix).compose(ids -> ids.isEmpty()
                ? Future.succeededFuture(List.of())
                : stores.<ServiceInstance>getAll(RegistryTopology.STORE, ids).map(found -> {
                    List<ServiceInstance> instances = new java.util.ArrayList<>(ids.size());
                    for (String id : ids) {
                        ServiceInstance instance = found.get(id);
                        if (instance != null) {
                            instances.add(instance);
                        }
                    }
                    return instances;
                }));
    }

    Future<Optional<ServiceInstance>> instance(String id) {
        return stores.get(RegistryTopology.STORE, id);
    }

    /** The instance holding a check id, if any (Consul's derived ids need no lookup). */
    public Future<Optional<ServiceInstance>> holderOfCheck(String checkId) {
        for (String prefix : List.of(RegistryTopology.SERVICE_CHECK_PREFIX, RegistryTopology.MAINTENANCE_CHECK_PREFIX)) {
            if (checkId.startsWith(prefix)) {
                return instance(checkId.substring(prefix.length())).map(found -> found.filter(i -> holds(i, checkId)));
            }
        }
        return stores.<String>scan(RegistryTopology.BY_CHECK_STORE, RegistryTopology.checkPrefix(checkId)).compose(ids ->
                ids.isEmpty() ? Future.succeededFuture(Optional.empty())
                        : instance(ids.get(0)).map(found -> found.filter(i -> holds(i, checkId))));
    }

    static boolean holds(ServiceInstance i, String checkId) {
        return i.getChecks().stream().anyMatch(c -> c.getDefinition().getCheckId().equals(checkId));
    }

    /**
     * The Consul index of a view scope: 1 + the sum over partitions of the offset + 1 of the last
     * record that changed it (see {@link RegistryTopology}). So a scope nothing ever touched has 1,
     * never 0 (which clients take for "no index"), and the first change, at offset 0 of a partition,
     * moves it to 2: a blocking query at index 1 returns.
     */
    Future<Long> index(String scope) {
        // This instance's partitions from memory; the others' from the instances that hold them.
        return stores.<Long>scanOthers(RegistryTopology.INDEX_STORE, RegistryTopology.Scopes.prefix(scope)).map(values -> {
            long sum = local.localSum(scope);
            for (Long v : values) {
                sum += v;
            }
            return 1 + sum;
        });
    }
}
