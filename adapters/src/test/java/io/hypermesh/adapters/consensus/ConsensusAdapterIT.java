package io.hypermesh.adapters.consensus;

import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditLog;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.consensus.ClusterStatus;
import io.hypermesh.events.consensus.ConsensusEvent;
import io.hypermesh.events.consensus.LeaderChanged;
import io.hypermesh.events.consensus.MemberLost;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consensus adapter against a real three-member etcd cluster on loopback: kill the leader, see the election. */
@KafkaIT
class ConsensusAdapterIT {
    /** Election timeout is 1 s; poll 200 ms; a transaction commit: the change must be on the bus well within this. */
    static final Duration LEADER_CHANGE_BOUND = Duration.ofSeconds(8);

    @Test
    void killingTheLeaderPublishesTheNewLeaderAndTheLostMember(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("consensus-it", ComponentKind.CONSENSUS, dir);
        try (LocalEtcd etcd = LocalEtcd.start(LocalEtcd.DEFAULT_BINARY, dir.resolve("etcd"), 3);
             // One seed only: the adapter finds the other members from the member list.
             AdapterHost host = AdapterHost.run(settings, 2, publisher -> new EtcdAdapter(publisher, "it-cluster",
                     List.of(etcd.clientUrls().get(0)), Duration.ofMillis(200)), Duration.ofMillis(500), true);
             BusForAdapters.Reader<ConsensusEvent> consensus = bus.read(Topics.CONSENSUS.name(), ConsensusEvent.class);
             BusForAdapters.Reader<HealthCheckEvent> health = bus.read(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class)) {
            ClusterStatus status = (ClusterStatus) consensus.await(r -> r.value().getPayload() instanceof ClusterStatus s
                    && s.getLeaderId() != null && s.getMembers().size() == 3, Duration.ofSeconds(30),
                            "a status with a leader and 3 members")
                    .value().getPayload();
            LocalEtcd.Member leader = etcd.leader();
            String leaderId = status.getMembers().stream().filter(m ->
                    m.getName().equals(leader.name())).findFirst().orElseThrow().getMemberId();
            assertEquals(leaderId, status.getLeaderId(), "the adapter names the leader etcd names");
            health.await(r -> r.key().equals(settings.adapterId())
                    && ((HealthCheckResult) r.value().getPayload()).getStatus() == CheckStatus.PASSING, Duration.ofSeconds(10),
                            "a passing heartbeat check");

            long killed = System.nanoTime();
            etcd.kill(leader);
            LeaderChanged change = (LeaderChanged) consensus.await(r -> r.value().getPayload() instanceof LeaderChanged c
                    && leaderId.equals(c.getPreviousLeaderId()), LEADER_CHANGE_BOUND.plusSeconds(5),
                    "a leader change away from " + leaderId).value().getPayload();
            if (change.getLeaderId() == null) {
                // The survivors may be seen between leaders (they answer leader 0 while electing): a
                // leaderless cluster is reported as such, and the new leader follows.
                change = (LeaderChanged) consensus.await(r -> r.value().getPayload() instanceof LeaderChanged c
                        && c.getPreviousLeaderId() == null && c.getLeaderId() != null, LEADER_CHANGE_BOUND.plusSeconds(5),
                        "the new leader after a leaderless moment").value().getPayload();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            System.out.printf("leader %s killed; LeaderChanged to %s (term %d) on the bus after %d ms%n", leaderId, change.getLeaderId(),
                    change.getTerm(), took.toMillis());
            assertNotEquals(leaderId, change.getLeaderId());
            assertTrue(change.getTerm() > status.getTerm(), "the new leader was elected in a later term");
            assertTrue(took.compareTo(LEADER_CHANGE_BOUND) <= 0, "leader change seen after " + took.toMillis() + " ms");

            MemberLost lost = (MemberLost) consensus.await(r -> r.value().getPayload() instanceof MemberLost, Duration.ofSeconds(10),
                    "the killed member reported lost").value().getPayload();
            assertEquals(leader.name(), lost.getMember().getName());
            health.await(r -> r.key().equals(settings.adapterId())
                    && ((HealthCheckResult) r.value().getPayload()).getStatus() == CheckStatus.WARNING, Duration.ofSeconds(10),
                    "a warning check while a member is missing");

            String newLeader = change.getLeaderId();
            try (BusForAdapters.Reader<AuditEvent> audit = bus.read(Topics.AUDIT.name(), AuditEvent.class)) {
                audit.await(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()).filter(a ->
                        a.getAdapterId().equals(settings.adapterId())
                        && a.getAction().equals("consensus.leader-changed") && a.getDetails().get("leader").equals(newLeader)).isPresent(),
                        Duration.ofSeconds(10), "the audit record of the leader change");
            }
        }
        AuditLog.Report report = new AuditLog(kafka.access(), bus.registry, Topics.AUDIT.name())
                .verify(AuditKeys.trusted(List.of(dir.resolve(settings.adapterId() + ".pub"))), Duration.ZERO, Map.of(), (a, b) -> { });
        assertTrue(report.breaks().stream().noneMatch(b -> b.adapterId().equals(settings.adapterId())), report.breaks().toString());
        AuditLog.Trail trail = report.trails().stream().filter(t -> t.adapterId().equals(settings.adapterId())).findFirst().orElseThrow();
        assertEquals(trail.records(), trail.signedRecords(), "closing sealed the whole trail with a checkpoint");
    }
}
