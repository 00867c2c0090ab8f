package io.hypermesh.coordinator.run;

import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;

import java.time.Duration;

/** Runs one coordinator against a bus: its lease, its view of the lifecycle fold and its registry client, closed after. */
public final class Coordination {
    private Coordination() {
    }

    public static Coordinator.Outcome run(PlatformSpec spec, String bootstrapServers, String apiUrl, String registryUrl,
                                          String coordinatorId, ProgressListener progress, Duration electionTimeout)
            throws InterruptedException {
        try (CoordinatorLease lease = new CoordinatorLease(bootstrapServers, spec.platform(), coordinatorId);
             LifecycleWatcher fold = new LifecycleWatcher(apiUrl);
             HttpRegistryClient registry = new HttpRegistryClient(registryUrl)) {
            return new Coordinator(spec, lease, fold, registry, progress, coordinatorId).run(electionTimeout);
        }
    }
}
