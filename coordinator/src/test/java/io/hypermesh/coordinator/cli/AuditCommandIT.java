package io.hypermesh.coordinator.cli;

import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh audit keygen|verify|replay` in-process against the real broker and registry. */
@KafkaIT
class AuditCommandIT {
    @TempDir
    static Path dataDir;
    static Bus bus;

    @BeforeAll
    static void start(EmbeddedKafka broker) throws Exception {
        bus = Bus.builder().bootstrapServers(broker.bootstrapServers()).dataDir(dataDir).ports(0, 0,
                0).start().foldsRunning(java.time.Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    String[] endpoints() {
        return new String[]{"--bootstrap-servers=" + bus.endpoints().bootstrapServers(), "--registry-url=" + bus.endpoints().registryUrl()};
    }

    static String[] concat(String[] a, String[] b, String... c) {
        return concat(concat(a, b), c);
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aTrailVerifiesUntilARecordIsForgedAndReplaysFiltered() throws Exception {
        Path key = dataDir.resolve("keys/cli-adapter.key");
        InProcessCli keygen = InProcessCli.run("audit", "keygen", key.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        assertTrue(Files.exists(AuditKeys.publicFileOf(key)));
        InProcessCli again = InProcessCli.run("audit", "keygen", key.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("refusing to replace a signing key"), again.err());

        String adapter = "cli-adapter-" + UUID.randomUUID().toString().substring(0, 6);
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.endpoints().registryUrl());
             AuditedPublisher publisher = AuditedPublisher.open(new AuditedPublisher.Settings(adapter, ComponentKind.ADAPTER,
                     io.hypermesh.schemas.kafka.KafkaAccess.to(bus.endpoints().bootstrapServers()), registry,
                             AuditKeys.loadOrCreate(key), 4, Duration.ofSeconds(30)))) {
            for (int i = 0; i < 6; i++) {
                publisher.audit(new AuditedPublisher.Action(i < 4 ? "alice" : "bob", "container.start", "c-" + i, AuditOutcome.SUCCESS,
                        Map.of())).get();
            }
        }
        String pub = AuditKeys.publicFileOf(key).toString();
        // Without --trust: the public keys in <data-dir>/keys are trusted.
        assertEquals(dataDir.resolve("keys/cli-adapter.pub"), AuditKeys.publicFileOf(key), "public keys are named <id>.pub");
        InProcessCli verified = InProcessCli.run(concat(new String[]{"audit", "verify"}, endpoints(), "--data-dir=" + dataDir,
                "--adapter=" + adapter, "--seal-grace=0ms", "--expect=" + adapter + "=6"));
        assertEquals(0, verified.exit(), verified.out() + verified.err());
        assertTrue(verified.out().contains(adapter + ": 6 records, 6 under 2 signed checkpoints"), verified.out());
        assertFalse(verified.err().contains("%"), "no progress bar when stderr is not a terminal: " + verified.err());
        InProcessCli untrusted = InProcessCli.run(concat(new String[]{"audit", "verify"}, endpoints(), "--data-dir="
                + dataDir.resolve("none"),
                "--adapter=" + adapter));
        assertEquals(2, untrusted.exit(), untrusted.err());
        assertTrue(untrusted.err().contains("no public key to trust"), untrusted.err());

        InProcessCli tooFew = InProcessCli.run(concat(new String[]{"audit", "verify"}, endpoints(), "--trust=" + pub, "--adapter="
                + adapter, "--expect=" + adapter + "=9"));
        assertEquals(3, tooFew.exit());
        assertTrue(tooFew.out().contains("trail holds 6 records, 9 were expected"), tooFew.out());

        RecordMetadata forged;
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.endpoints().registryUrl());
             KafkaProducer<String, AuditEvent> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bus.endpoints().bootstrapServers()),
                     new StringSerializer(), new AvroSerializer<>(registry, true))) {
            AuditRecord fake = new AuditRecord(adapter, 7L, "mallory", "container.start", "c-9", AuditOutcome.SUCCESS, Map.of(),
                    ByteBuffer.wrap(new byte[32]), ByteBuffer.wrap(new byte[32]));
            forged = raw.send(new ProducerRecord<>(Topics.AUDIT.name(), adapter, AuditEvent.newBuilder().setEventId("forged")
                    .setSource(new EventSource(adapter,
                            ComponentKind.ADAPTER)).setOccurredAt(Instant.now()).setTraceId(null).setPayload(fake).build())).get();
        }
        InProcessCli broken = InProcessCli.run(concat(new String[]{"audit", "verify"}, endpoints(), "--trust=" + pub, "--adapter="
                + adapter));
        assertEquals(3, broken.exit(), broken.out());
        assertTrue(broken.out().contains("BROKEN " + adapter + ": chain broken at sequence 7") 
                && broken.out().contains("partition " + forged.partition() + " offset " + forged.offset()), broken.out());

        Path json = dataDir.resolve("bob.jsonl");
        InProcessCli replay = InProcessCli.run(concat(new String[]{"audit", "replay"}, endpoints(), "--adapter=" + adapter,
                "--actor=bob", "--action=container.*", "--output=" + json));
        assertEquals(0, replay.exit(), replay.err());
        List<String> lines = Files.readAllLines(json);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("\"actor\":\"bob\"")), lines.toString());
        InProcessCli intoBus = InProcessCli.run(concat(new String[]{"audit", "replay"}, endpoints(), "--to-topic="
                + Topics.REGISTRY.name()));
        assertEquals(1, intoBus.exit());
        assertTrue(intoBus.err().contains("refusing to replay into the bus's own topic"), intoBus.err());
    }
}
