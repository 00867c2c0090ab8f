package io.hypermesh.streams.api.views;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.streams.api.consul.RegistryReader;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.streams.discovery.Discovery;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import io.vertx.core.Future;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Discovery, joined at read time: a service's instances from the registry fold's by-service index,
 * each with the health of its component. Joining here rather than in a topology means a
 * registration is discoverable once the registry fold applied it, with no repartition hop.
 */
final class ServiceDirectory {
    private final FoldStores stores;

    ServiceDirectory(FoldStores stores) {
        this.stores = stores;
    }

    /** The instances of one service, in instance id order. */
    Future<List<DiscoveredInstance>> service(String name) {
        return RegistryReader.byService(stores, RegistryTopology.servicePrefix(name)).compose(instances -> {
            if (instances.isEmpty()) {
                return Future.succeededFuture(List.of());
            }
            Set<String> components = new LinkedHashSet<>();
            instances.forEach(i -> components.add(i.getHealthComponentId()));
            return stores.<HealthState>getAll(HealthTopology.STORE, components).map(health -> Discovery.join(instances, health));
        });
    }
}
