package io.hypermesh.adapters.audit;

import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.platform.testing.KafkaIT;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trails written to the real broker, some by the transactional publisher and some tampered with
 * through a raw producer, then verified and replayed from the topic.
 */
@KafkaIT
class AuditLogIT {
    static BusForAdapters bus;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start(EmbeddedKafka kafka) {
        bus = new BusForAdapters(kafka);
    }

    /** A fresh adapter's trail of {@code records} records (checkpoint every 4) as the events a writer would produce. */
    static List<SpecificRecord> trail(String adapterId, AuditTrail trail, int records) {
        List<SpecificRecord> out = new ArrayList<>();
        for (int i = 1; i <= records; i++) {
            trail.append("operator-" + (i % 2), i % 3 == 0 ? "container.start" : "consensus.status", "target-" + i, AuditOutcome.OBSERVED,
                    Map.of("n", Integer.toString(i))).events().forEach(e -> out.add((SpecificRecord) e));
        }
        return out;
    }

    /** Writes audit payloads to a new one-partition topic with a plain producer, exactly as given; returns the topic. */
    static String writeRaw(String adapterId, List<? extends SpecificRecord> payloads) throws Exception {
        String topic = "audit-tamper-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bus.kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return writeRaw(topic, adapterId, payloads);
    }

    /** Appends audit payloads to an existing topic with a plain producer, exactly as given. */
    static String writeRaw(String topic, String adapterId, List<? extends SpecificRecord> payloads) throws Exception {
        try (KafkaProducer<String, AuditEvent> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bus.kafka.bootstrapServers()), new StringSerializer(), new AvroSerializer<>(bus.registry, true))) {
            for (SpecificRecord p : payloads) {
                raw.send(new ProducerRecord<>(topic, adapterId, AuditEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setSource(new EventSource(adapterId, ComponentKind.ADAPTER)).setOccurredAt(Instant.now())
                        .setTraceId(null).setPayload(p).build())).get();
            }
        }
        return topic;
    }

    static AuditLog.Report verify(String topic, AuditTrail signer, Map<String, Long> expected) {
        return new AuditLog(bus.kafka.access(), bus.registry, topic)
                .verify(Map.of(signer.keyId(), signer.publicKey()), Duration.ZERO, expected, (read, total) -> { });
    }

    /** The one break the report names, at this offset, saying this. */
    static void assertBreak(AuditLog.Report report, long offset, String reasonStart) {
        assertEquals(1, report.breaks().size(), report.breaks().toString());
        AuditLog.Break b = report.breaks().get(0);
        assertEquals(offset, b.offset(), b.toString());
        assertTrue(b.reason().startsWith(reasonStart), b.toString());
    }

    @Test
    void anUntamperedTrailVerifiesAndEveryRecordIsSigned() throws Exception {
        AuditTrail signer = new AuditTrail("clean", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("clean", signer, 8);
        AuditLog.Report report = verify(writeRaw("clean", events), signer, Map.of("clean", 8L));
        assertTrue(report.intact(), report.breaks().toString());
        assertEquals(List.of(new AuditLog.Trail("clean", 8, 8, 2)), report.trails());
    }

    @Test
    void aForgedRecordIsNamedAtItsOffset() throws Exception {
        AuditTrail signer = new AuditTrail("forged", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("forged", signer, 8);
        AuditEntry third = (AuditEntry) events.get(2);
        AuditContent said = AuditTrail.decode(third);
        said.setActor("intruder");
        events.set(2, AuditEntry.newBuilder(third).setContent(AuditTrail.encode(said)).build());
        assertBreak(verify(writeRaw("forged", events), signer, Map.of()), 2, "record 3 was altered");
    }

    @Test
    void aRewrittenChainIsCaughtByTheFirstSignedCheckpoint() throws Exception {
        AuditTrail signer = new AuditTrail("rewritten", AuditTrail.newKey(), 4);
        List<SpecificRecord> original = trail("rewritten", signer, 8);
        // The forger recomputes every hash with their own trail but cannot sign as the adapter.
        AuditTrail forger = new AuditTrail("rewritten", AuditTrail.newKey(), 1000);
        List<SpecificRecord> forged = new ArrayList<>();
        for (SpecificRecord e : original) {
            if (e instanceof AuditEntry entry) {
                AuditContent r = AuditTrail.decode(entry);
                forged.addAll(forger.append(r.getSequence() == 2 ? "intruder" : r.getActor(), r.getAction(), r.getTarget(), r.getOutcome(),
                        r.getDetails()).events().stream().map(x -> (SpecificRecord) x).toList());
            } else {
                forged.add(e);
            }
        }
        // Records 1..4 are at offsets 0..3, the checkpoint over them at offset 4.
        assertBreak(verify(writeRaw("rewritten", forged), signer, Map.of()), 4, "checkpoint at 4 does not match");
    }

    @Test
    void aDroppedRecordIsAGap() throws Exception {
        AuditTrail signer = new AuditTrail("dropped", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("dropped", signer, 8);
        events.remove(5); // record 5 (offset 5, after the checkpoint at offset 4)
        assertBreak(verify(writeRaw("dropped", events), signer, Map.of()), 5, "gap: sequence 6 follows 4");
    }

    @Test
    void reorderedRecordsAreNamed() throws Exception {
        AuditTrail signer = new AuditTrail("reordered", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("reordered", signer, 8);
        SpecificRecord second = events.get(1);
        events.set(1, events.get(2));
        events.set(2, second);
        assertBreak(verify(writeRaw("reordered", events), signer, Map.of()), 1, "gap: sequence 3 follows 1");
    }

    @Test
    void aReplayedRecordIsNamed() throws Exception {
        AuditTrail signer = new AuditTrail("replayed", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("replayed", signer, 8);
        events.add(3, events.get(1));
        assertBreak(verify(writeRaw("replayed", events), signer, Map.of()), 3, "reorder or replay: sequence 2 after 3");
    }

    @Test
    void aTruncatedTailIsCaughtUnsealedOrAgainstTheExpectedSize() throws Exception {
        AuditTrail signer = new AuditTrail("truncated", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("truncated", signer, 8);
        // Cut after record 6: records 5 and 6 remain with no checkpoint over them.
        assertBreak(verify(writeRaw("truncated", events.subList(0, 7)), signer, Map.of()), 5, "records 5..6 are not covered");
        // Cut back to the first checkpoint exactly: only a size known from before tells.
        assertBreak(verify(writeRaw("truncated", events.subList(0, 5)), signer, Map.of("truncated", 8L)), -1,
                "trail holds 4 records, 8 were expected");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsNamed() throws Exception {
        AuditTrail signer = new AuditTrail("foreign", AuditTrail.newKey(), 4);
        List<SpecificRecord> events = trail("foreign", signer, 4);
        AuditTrail trusted = new AuditTrail("foreign", AuditTrail.newKey(), 4);
        assertBreak(verify(writeRaw("foreign", events), trusted, Map.of()), 4, "checkpoint at 4 is signed with unknown key");
    }

    @Test
    void aFormatOneTrailOnTheLogVerifiesAndContinuesInFormatTwo() throws Exception {
        Ed25519PrivateKeyParameters key = AuditTrail.newKey();
        String topic = writeRaw("etcd-adapter", AuditTrailTest.formatOneTrail(5));
        AuditLog log = new AuditLog(bus.kafka.access(), bus.registry, topic);
        AuditTrail resumed = log.resume("etcd-adapter", key, 4);
        assertEquals(5, resumed.sequence(), "adopted the format-1 records");
        List<SpecificRecord> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            resumed.append("operator", "container.start", "c-" + i, AuditOutcome.SUCCESS, Map.of()).events().forEach(e ->
                    next.add((SpecificRecord) e));
        }
        assertTrue(next.get(0) instanceof AuditEntry e && e.getFormat() == 2, "appends after a format-1 trail are format 2");
        writeRaw(topic, "etcd-adapter", next);

        AuditLog.Report report = log.verify(Map.of(resumed.keyId(), resumed.publicKey()), Duration.ZERO, Map.of("etcd-adapter", 8L), (r,
                t) -> { });
        assertTrue(report.intact(), report.breaks().toString());
        assertEquals(List.of(new AuditLog.Trail("etcd-adapter", 8, 8, 1)), report.trails());
        StringWriter json = new StringWriter();
        assertEquals(9, log.replayAsJson(new AuditLog.Filter(null, null, "etcd-adapter", null, null), new PrintWriter(json), (r, t) -> { }),
                "8 records and the checkpoint at 8");
        assertEquals(5, json.toString().lines().filter(l -> l.contains("\"AuditRecord\"")
                && l.contains("\"actor\":\"etcd-adapter\"")).count(), json.toString());
        assertEquals(3, json.toString().lines().filter(l -> l.contains("\"AuditEntry\"") && l.contains("\"content\":{")
                && l.contains("\"actor\":\"operator\"")).count(),
                json.toString());
    }

    @Test
    void thePublisherContinuesItsTrailAfterARestartAndReplayFilters() throws Exception {
        AuditedPublisher.Settings settings = bus.settings("restarted", ComponentKind.ADAPTER, dir);
        Instant before = Instant.now();
        try (AuditedPublisher first = AuditedPublisher.open(settings)) {
            for (int i = 0; i < 7; i++) {
                first.audit(new AuditedPublisher.Action("alice", "container.start", "c-" + i, AuditOutcome.SUCCESS, Map.of())).get();
            }
        }
        try (AuditedPublisher second = AuditedPublisher.open(settings)) {
            assertEquals(7, second.sequence(), "continued from the log");
            for (int i = 0; i < 3; i++) {
                second.audit(new AuditedPublisher.Action("bob", "container.stop", "c-" + i, AuditOutcome.SUCCESS, Map.of())).get();
            }
        }
        AuditLog log = new AuditLog(bus.kafka.access(), bus.registry, io.hypermesh.schemas.topics.Topics.AUDIT.name());
        AuditLog.Report report = log.verify(AuditKeys.trusted(List.of(AuditKeys.publicFileOf(dir.resolve(settings.adapterId() + ".key")))),
                Duration.ZERO, Map.of(settings.adapterId(), 10L), (read, total) -> { });
        assertTrue(report.breaks().stream().noneMatch(b -> b.adapterId().equals(settings.adapterId())), report.breaks().toString());
        AuditLog.Trail trail = report.trails().stream().filter(t -> t.adapterId().equals(settings.adapterId())).findFirst().orElseThrow();
        assertEquals(10, trail.records());
        assertEquals(10, trail.signedRecords(), "each close sealed the trail");

        StringWriter json = new StringWriter();
        long kept = log.replayAsJson(new AuditLog.Filter(before, null, settings.adapterId(), "bob", "container.*"),
                new PrintWriter(json), (r, t) -> { });
        assertEquals(3, kept);
        assertEquals(3, json.toString().lines().filter(l -> l.contains("\"actor\":\"bob\"")
                && l.contains("\"action\":\"container.stop\"")).count(),
                json.toString());

        String copy = "audit-copy-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bus.kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(copy, 1, (short) 1))).all().get();
        }
        assertEquals(7, log.replayToTopic(new AuditLog.Filter(null, null, settings.adapterId(), "alice", null), copy, (r, t) -> { }));
        StringWriter copied = new StringWriter();
        assertEquals(7, new AuditLog(bus.kafka.access(), bus.registry, copy)
                .replayAsJson(new AuditLog.Filter(null, null, null, null, "container.start"), new PrintWriter(copied), (r, t) -> { }));
    }
}
