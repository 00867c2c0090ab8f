package io.hypermesh.coordinator.cli;

import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh adapter transport` as a real process: takes telemetry onto the bus, and seals its audit trail when stopped. */
@KafkaIT
class AdapterCommandIT {
    @Test
    void anAdapterProcessPublishesAndLeavesAVerifiableTrail(EmbeddedKafka broker, @TempDir Path dataDir) throws Exception {
        try (Bus bus = Bus.builder().bootstrapServers(broker.bootstrapServers()).dataDir(dataDir).ports(0, 0,
                0).start().foldsRunning(java.time.Duration.ofMinutes(2))) {
            int port = EmbeddedKafka.freePort();
            String[] endpoints = {"--bootstrap-servers=" + bus.endpoints().bootstrapServers(), "--registry-url="
                    + bus.endpoints().registryUrl(),
                    "--data-dir=" + dataDir};
            InProcessCli bad = InProcessCli.run("adapter", "transport", endpoints[0], endpoints[1], endpoints[2], "--probe=nonsense");
            assertEquals(2, bad.exit());
            assertTrue(bad.err().contains("--probe: probe 'nonsense' is not id=host:port"), bad.err());

            // Checkpoints only every 1000 records or minute: the one over these records is the one written on SIGTERM.
            try (HypermeshProcess adapter = new HypermeshProcess("adapter", "transport", endpoints[0], endpoints[1], endpoints[2],
                    "--id=transport-cli", "--port=" + port, "--checkpoint-every=1000", "--checkpoint-interval=60000ms",
                            "--heartbeat=500ms")) {
                adapter.awaitLine("transport-cli running", 60);
                Http http = new Http("http://127.0.0.1:" + port);
                Http.Response accepted = http.post("/v1/transport/telemetry",
                        "{\"linkId\":\"cli-link\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":2.5}");
                assertEquals(202, accepted.status(), accepted.body());
                InProcessCli tail = InProcessCli.run("tail", Topics.TRANSPORT.name(), "--from-beginning", "--max-messages=2",
                        "--idle-timeout=20000ms",
                        endpoints[0], endpoints[1]);
                assertTrue(tail.out().contains("\"linkId\":\"cli-link\"") && tail.out().contains("\"latencyMs\":2.5"), tail.out()
                        + tail.err());
                assertTrue(adapter.terminate(60), "stops on SIGTERM");
                assertTrue(adapter.lines.contains("transport-cli stopped."), adapter.lines.toString());
            }
            Path pub = AuditKeys.publicFileOf(dataDir.resolve("keys/transport-cli.key"));
            assertTrue(Files.exists(pub), "the key was created in the data folder");
            InProcessCli verify = InProcessCli.run("audit", "verify", endpoints[0], endpoints[1], "--trust=" + pub,
                    "--adapter=transport-cli", "--seal-grace=0ms");
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            assertTrue(verify.out().lines().anyMatch(l -> l.startsWith("transport-cli: ")
                    && l.matches(".*: (\\d+) records, \\1 under \\d+ signed.*")),
                    verify.out());
        }
    }

}
