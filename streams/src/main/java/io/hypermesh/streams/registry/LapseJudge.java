package io.hypermesh.streams.registry;

import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.CheckUpdated;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceExpired;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges, on wall-clock time, the instances whose deadline passed: lapsed leases, lapsed TTL checks
 * and services critical for longer than DeregisterCriticalServiceAfter. Each verdict is an event
 * written to the log, applied by the fold only if nothing newer came first. When too many leases
 * lapse at once none is expired (self-preservation).
 */
final class LapseJudge {
    private static final Logger LOG = LoggerFactory.getLogger(LapseJudge.class);
    private final StreamsSettings settings;
    private final ProcessorContext<String, Object> context;
    private final KeyValueStore<String, ServiceInstance> store;
    private final Deadlines deadlines;
    /** Judgements sent but not yet read back, so a scan does not send the same one again. */
    private final Set<String> pending = new HashSet<>();
    private boolean preserving;

    LapseJudge(StreamsSettings settings, ProcessorContext<String, Object> context, KeyValueStore<String, ServiceInstance> store,
               Deadlines deadlines) {
        this.settings = settings;
        this.context = context;
        this.store = store;
        this.deadlines = deadlines;
    }

    /** A verdict came back through the log: it may be judged again if it is due again. */
    void readBack(String judgement) {
        pending.remove(judgement);
    }

    /** Judges lapsed leases, lapsed TTL checks and services critical for too long; writes each verdict to the log. */
    void judge(long now) {
        List<ServiceInstance> lapsed = new ArrayList<>();
        // Only what is due; each stays due until a change to it (a verdict read back, a heartbeat) moves its deadline.
        for (String id : deadlines.due(now)) {
            ServiceInstance instance = store.get(id);
            if (instance == null) {
                continue;
            }
            if (instance.getTtlMs() > 0 && now - instance.getLastHeartbeatAt().toEpochMilli() > instance.getTtlMs()) {
                lapsed.add(instance);
            }
            judgeChecks(instance, now);
        }
        int leased = deadlines.leased();
        if (leased >= settings.selfPreservationMinimum() && lapsed.size() > leased * settings.selfPreservationRatio()) {
            if (!preserving) {
                LOG.warn("self-preservation: {} of {} instances lapsed at once; expiring none until heartbeats resume",
                        lapsed.size(), leased);
            }
            preserving = true;
            return;
        }
        preserving = false;
        for (ServiceInstance instance : lapsed) {
            long judged = instance.getLastHeartbeatAt().toEpochMilli();
            if (pending.add("expire:" + instance.getInstanceId() + "@" + judged)) {
                verdict(instance.getInstanceId(), "expired:" + instance.getInstanceId() + ":" + judged, now,
                        new ServiceExpired(instance.getInstanceId(), instance.getLastHeartbeatAt(), instance.getTtlMs()));
            }
        }
    }

    private void judgeChecks(ServiceInstance instance, long now) {
        for (CheckState check : instance.getChecks()) {
            CheckDefinition d = check.getDefinition();
            long updated = check.getUpdatedAt().toEpochMilli();
            if (d.getType().equals("ttl") && !check.getStatus().equals("critical") && now - updated > d.getTtlMs()
                    && pending.add("ttl:" + instance.getInstanceId() + "/" + d.getCheckId() + "@" + updated)) {
                String eventId = "ttl:" + instance.getInstanceId() + ":" + d.getCheckId() + ":" + updated;
                verdict(instance.getInstanceId(), eventId, now,
                        new CheckUpdated(instance.getInstanceId(), d.getCheckId(), "critical", "TTL expired", 0.0, check.getUpdatedAt()));
                HealthCheckEvent lapse = Envelopes.wrap(Topics.HEALTH_CHECKS, eventId + ":health", source(), Instant.ofEpochMilli(now),
                        new HealthCheckResult(instance.getHealthComponentId(), d.getCheckId(), CheckStatus.CRITICAL, 0.0, "TTL expired"));
                context.forward(new Record<>(instance.getHealthComponentId(), (Object) lapse, now), RegistryTopology.HEALTH_SINK);
            }
            if (d.getDeregisterCriticalAfterMs() > 0 && check.getCriticalSince() != null
                    && now - check.getCriticalSince().toEpochMilli() > d.getDeregisterCriticalAfterMs()
                    && pending.add("deregister:" + instance.getInstanceId())) {
                verdict(instance.getInstanceId(), "reaped:" + instance.getInstanceId() + ":" + check.getCriticalSince().toEpochMilli(), now,
                        new ServiceDeregistered(instance.getInstanceId(), "check " + d.getCheckId()
                                + " critical for longer than DeregisterCriticalServiceAfter"));
            }
        }
    }

    private EventSource source() {
        return new EventSource(settings.applicationId(), ComponentKind.STREAMS);
    }

    private void verdict(String instanceId, String eventId, long now, SpecificRecord payload) {
        RegistryEvent event = Envelopes.wrap(Topics.REGISTRY, eventId, source(), Instant.ofEpochMilli(now), payload);
        context.forward(new Record<>(instanceId, (Object) event, now), RegistryTopology.EXPIRY_SINK);
    }

    /** For tests and metrics: whether the last judgement held expiries back. */
    boolean preserving() {
        return preserving;
    }
}
