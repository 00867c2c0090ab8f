package io.hypermesh.coordinator.run;

import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditLog;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;

import io.hypermesh.schemas.topics.Topics;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs one coordinator against a bus: its lease, its view of the lifecycle fold and its registry
 * client, closed after. Its audit trail is signed with the key in {@code auditKey} (created when
 * missing), so `hypermesh audit verify` can trust coordinators as it trusts adapters.
 */
public final class Coordination {
    /** Commands are few: a signed checkpoint every 16 audit records keeps each platform start covered. */
    private static final int CHECKPOINT_EVERY = 16;

    private Coordination() {
    }

    public static Coordinator.Outcome run(PlatformSpec spec, KafkaAccess kafka, String apiUrl, String registryUrl,
                                          String coordinatorId, Path auditKey, ProgressListener progress, Duration electionTimeout)
            throws InterruptedException {
        try (HttpRegistryClient registry = new HttpRegistryClient(registryUrl, kafka.tls());
             CoordinatorLease lease = new CoordinatorLease(kafka, registry, spec.platform(), coordinatorId)) {
            return run(spec, lease, kafka, apiUrl, registry, coordinatorId, auditKey, progress, electionTimeout);
        }
    }

    /** As above, under a lease the caller took beforehand (its election may be under way already) and closes. */
    public static Coordinator.Outcome run(PlatformSpec spec, CoordinatorLease lease, KafkaAccess kafka, String apiUrl,
            RegistryClient registry,
                                          String coordinatorId, Path auditKey, ProgressListener progress, Duration electionTimeout)
            throws InterruptedException {
        var key = AuditKeys.loadOrCreate(auditKey);
        try (LifecycleWatcher fold = new LifecycleWatcher(apiUrl, kafka.tls())) {
            return new Coordinator(spec, lease, fold, progress, coordinatorId,
                    () -> new AuditLog(kafka, registry, Topics.AUDIT.name()).resume(coordinatorId, key,
                            CHECKPOINT_EVERY)).run(electionTimeout);
        }
    }
}
