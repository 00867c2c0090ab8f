package io.hypermesh.coordinator.cli;

import io.hypermesh.schemas.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.testing.Http;
import io.hypermesh.schemas.testing.KafkaIT;
import io.hypermesh.streams.testing.Traffic;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A folds instance killed with SIGKILL (exactly-once, no clean shutdown) comes back with the same answers. */
@KafkaIT
class FoldsKillIT {

    @Test
    void killedWithSigkillAndRestartedOnItsStateItAnswersAsBefore(EmbeddedKafka kafka) throws Exception {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0)) {
            String appId = "folds-kill-" + UUID.randomUUID();
            Path state = Files.createTempDirectory(Path.of("target"), "folds-kill-");
            int port = EmbeddedKafka.freePort();
            Process first = folds(kafka, registry, appId, state, port);
            try {
                awaitApi(first);
                Http api = new Http("http://127.0.0.1:" + port);
                Traffic traffic = new Traffic();
                traffic.send(api, new io.hypermesh.streams.testing.BusFixture.External(kafka, registry));
                List<String> before = until(() -> traffic.snapshot(api), traffic::settled, Duration.ofSeconds(90), "folded");

                first.destroyForcibly();
                assertEquals(true, first.waitFor(20, TimeUnit.SECONDS));

                Process second = folds(kafka, registry, appId, state, port);
                try {
                    awaitApi(second);
                    assertEquals(before, until(() -> traffic.snapshot(api), before::equals, Duration.ofSeconds(90),
                            "same answers after SIGKILL and restart"));
                } finally {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            } finally {
                first.destroyForcibly();
            }
        }
    }

    static Process folds(EmbeddedKafka kafka, SchemaRegistryService registry, String appId, Path state, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hypermesh.class.getName(), "folds",
                "--bootstrap-servers=" + kafka.bootstrapServers(), "--registry-url=" + registry.url(),
                "--application-id=" + appId, "--state-dir=" + state, "--api-port=" + port, "--data-dir=target/none")
                .redirectError(Path.of("target", "folds-" + System.nanoTime() + ".log").toFile()).start();
    }

    static void awaitApi(Process p) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
        long deadline = System.currentTimeMillis() + 120_000;
        for (String line; System.currentTimeMillis() < deadline && (line = in.readLine()) != null; ) {
            if (line.startsWith("Query API:")) {
                return;
            }
        }
        throw new AssertionError("folds instance did not start (exit " + (p.isAlive() ? "still running" : p.exitValue()) + ")");
    }
}
